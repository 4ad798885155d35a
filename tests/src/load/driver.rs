//! The scripted workload of one meeting: what a lively courtyard does (opinions,
//! seconds, hands raised and lowered, the moderator calling speakers) at a set
//! rate, or a closed loop of writers for throughput.
//!
//! The driver keeps a small model of the meeting, updated from acknowledgements,
//! so that it sends commands the server will accept; each attendee has at most
//! one command in flight, like a person with one phone.

use super::client::{Answer, Order};
use super::Clock;
use babahui_shared::{ClientMsg, Command, CommandId, OpinionId};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Index of the moderator's connection in its meeting.
pub const MODERATOR: u32 = 0;
/// Index of the first attendee (1 is the projector).
pub const FIRST_ATTENDEE: u32 = 2;

/// What the meeting's clients do.
#[derive(Debug, Clone, Copy)]
pub enum Workload {
    /// The mixed courtyard script, `rate` commands per second.
    Mixed {
        /// Commands per second in this meeting.
        rate: f64,
    },
    /// `writers` attendees each keep `window` opinions in flight.
    Pipeline {
        /// Attendees writing.
        writers: u32,
        /// Commands each keeps in flight.
        window: u32,
    },
}

/// The measured window, µs on the run's clock.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Commands sent from here on are measured.
    pub start_us: u64,
    /// No command is sent from here on.
    pub end_us: u64,
    /// …nor once this many commands have been sent in all.
    pub max_commands: u64,
}

/// A measured, acknowledged command.
#[derive(Debug, Clone, Copy)]
pub struct Sent {
    /// Its event's sequence number.
    pub seq: u64,
    /// Who sent it.
    pub client: u32,
    /// When it was written to the socket.
    pub sent_us: u64,
    /// When its ack arrived.
    pub acked_us: u64,
}

/// What a driver did.
#[derive(Debug, Default)]
pub struct DriverLog {
    /// Measured commands acknowledged.
    pub acked: Vec<Sent>,
    /// Measured commands sent.
    pub sent: u64,
    /// Measured commands refused, by code.
    pub refused: BTreeMap<String, u64>,
    /// Commands still unanswered at the end.
    pub unanswered: u64,
}

#[derive(Debug, Clone, Copy)]
enum Action {
    Opinion,
    Second(u32),
    Raise,
    Lower,
    CallNext,
    EndFloor,
}

/// What the driver knows of its meeting.
#[derive(Debug)]
pub struct Driver {
    clients: Vec<mpsc::UnboundedSender<Order>>,
    attendees: u32,
    workload: Workload,
    window: Window,
    clock: Clock,
    next_id: Arc<AtomicU64>,
    rng: StdRng,
    /// Command number → (sender, what it does).
    pending: HashMap<u64, (u32, Action)>,
    busy: Vec<bool>,
    queued: Vec<bool>,
    queue: VecDeque<u32>,
    floor: bool,
    /// Acknowledged opinions: (id, author, seconders).
    opinions: Vec<(u32, u32, Vec<u32>)>,
    /// Opinions sent, and their bytes of text (see [`Driver::opinion_or_hand`]).
    opinions_sent: (usize, usize),
    /// Pipelined writers' hands, as last sent.
    hand_up: Vec<bool>,
    log: DriverLog,
}

impl Driver {
    /// A driver for one meeting whose clients (by index) take `clients`' orders.
    pub fn new(
        clients: Vec<mpsc::UnboundedSender<Order>>,
        workload: Workload,
        window: Window,
        clock: Clock,
        next_id: Arc<AtomicU64>,
        seed: u64,
    ) -> Driver {
        let n = clients.len();
        Driver {
            attendees: n as u32 - FIRST_ATTENDEE,
            clients,
            workload,
            window,
            clock,
            next_id,
            rng: StdRng::seed_from_u64(seed),
            pending: HashMap::new(),
            busy: vec![false; n],
            queued: vec![false; n],
            queue: VecDeque::new(),
            floor: false,
            opinions: Vec::new(),
            opinions_sent: (0, 0),
            hand_up: vec![false; n],
            log: DriverLog::default(),
        }
    }

    /// Runs the workload until the window ends, then collects answers until `stop`.
    pub async fn run(mut self, answers: mpsc::UnboundedReceiver<Answer>, stop: CancellationToken) -> DriverLog {
        let mut answers = answers;
        let period = match self.workload {
            Workload::Mixed { rate } => Duration::from_secs_f64(1.0 / rate.max(0.001)),
            Workload::Pipeline { .. } => Duration::from_secs(3600),
        };
        // Meetings of a district start their ticks at different moments.
        let offset = Duration::from_micros(self.rng.random_range(0..period.as_micros().min(1_000_000) as u64));
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + offset, period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        if let Workload::Pipeline { writers, window } = self.workload {
            self.wait_until(self.window.start_us).await;
            for w in 0..writers.min(self.attendees) {
                for _ in 0..window {
                    self.send(FIRST_ATTENDEE + w, Action::Opinion);
                }
            }
        }
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick(), if matches!(self.workload, Workload::Mixed { .. }) && self.sending() => self.act(),
                Some(a) = answers.recv() => self.on_answer(a),
            }
        }
        self.log.unanswered = self.pending.len() as u64;
        self.log
    }

    /// Sends nothing more; resolves when every command sent has its answer.
    fn sending(&self) -> bool {
        self.clock.now_us() < self.window.end_us && self.next_id.load(Ordering::Relaxed) <= self.window.max_commands
    }

    async fn wait_until(&self, us: u64) {
        let now = self.clock.now_us();
        if us > now {
            tokio::time::sleep(Duration::from_micros(us - now)).await;
        }
    }

    /// One step of the courtyard script.
    fn act(&mut self) {
        let roll = self.rng.random_range(0..100);
        let Some(who) = self.idle_attendee() else { return };
        match roll {
            0..40 => self.send(who, Action::Opinion),
            40..70 => match self.second_for(who) {
                Some(op) => self.send(who, Action::Second(op)),
                None => self.send(who, Action::Opinion),
            },
            70..95 if self.queued[who as usize] => self.send(who, Action::Lower),
            70..95 => self.send(who, Action::Raise),
            _ if self.busy[MODERATOR as usize] => self.send(who, Action::Opinion),
            _ if self.floor => self.send(MODERATOR, Action::EndFloor),
            _ if !self.queue.is_empty() => self.send(MODERATOR, Action::CallNext),
            _ => self.send(who, Action::Opinion),
        }
    }

    fn idle_attendee(&mut self) -> Option<u32> {
        (0..8)
            .map(|_| FIRST_ATTENDEE + self.rng.random_range(0..self.attendees))
            .find(|&i| !self.busy[i as usize])
    }

    /// A recent opinion `who` may second, marked seconded at once so it is not sent twice.
    fn second_for(&mut self, who: u32) -> Option<u32> {
        let recent = self.opinions.len().saturating_sub(50);
        for _ in 0..4 {
            if self.opinions.len() == recent {
                return None;
            }
            let i = self.rng.random_range(recent..self.opinions.len());
            let (id, author, seconders) = &mut self.opinions[i];
            if *author != who && !seconders.contains(&who) {
                seconders.push(who);
                return Some(*id);
            }
        }
        None
    }

    /// A meeting's record of opinions is bounded (`limits::OPINIONS_MAX`,
    /// `limits::OPINION_TEXT_MAX_BYTES`): once the opinions sent come near
    /// filling it, an opinion becomes a hand raised or lowered — the same
    /// traffic, without refusals and without growing the state.
    fn opinion_or_hand(&mut self, client: u32, text_len: usize) -> Action {
        use babahui_shared::limits::{OPINIONS_MAX, OPINION_TEXT_MAX_BYTES};
        let (count, bytes) = self.opinions_sent;
        if count + 100 < OPINIONS_MAX && bytes + 100 * text_len < OPINION_TEXT_MAX_BYTES {
            self.opinions_sent = (count + 1, bytes + text_len);
            return Action::Opinion;
        }
        let up = match self.workload {
            Workload::Mixed { .. } => !self.queued[client as usize],
            Workload::Pipeline { .. } => !self.hand_up[client as usize],
        };
        self.hand_up[client as usize] = up;
        if up {
            Action::Raise
        } else {
            Action::Lower
        }
    }

    fn send(&mut self, client: u32, action: Action) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let opinion = format!("{client}号居民：楼道灯坏了，晚上回家看不见路，希望尽快修好（第{id}条）");
        let action = match action {
            Action::Opinion => self.opinion_or_hand(client, opinion.len()),
            other => other,
        };
        let command = match action {
            Action::Opinion => Command::SubmitOpinion {
                topic: None,
                text: opinion,
                category: None,
                stance: None,
                author: Default::default(),
                voice: None,
            },
            Action::Second(op) => Command::Second {
                seen_open: false,
                opinion: OpinionId(op),
                who: None,
            },
            Action::Raise => Command::RaiseHand { topic: None, who: None },
            Action::Lower => Command::LowerHand { who: None },
            Action::CallNext => Command::CallNext,
            Action::EndFloor => Command::EndFloor,
        };
        let msg = ClientMsg::Command {
            id: CommandId(format!("c{id}")),
            command,
        };
        let text = serde_json::to_string(&msg).expect("commands serialise");
        if self.clients[client as usize].send(Order::Send { id, text }).is_ok() {
            self.busy[client as usize] = matches!(self.workload, Workload::Mixed { .. });
            self.pending.insert(id, (client, action));
        }
    }

    fn on_answer(&mut self, a: Answer) {
        let Some((client, action)) = self.pending.remove(&a.id) else {
            return;
        };
        self.busy[client as usize] = false;
        let measured = a.sent_us >= self.window.start_us && a.sent_us < self.window.end_us;
        if measured {
            self.log.sent += 1;
        }
        match a.result {
            Ok((seq, created)) => {
                if measured {
                    self.log.acked.push(Sent {
                        seq,
                        client,
                        sent_us: a.sent_us,
                        acked_us: a.answered_us,
                    });
                }
                self.applied(client, action, created);
            }
            Err(code) => {
                if measured {
                    *self.log.refused.entry(code).or_default() += 1;
                }
                self.refused(client, action);
            }
        }
        if let Workload::Pipeline { .. } = self.workload {
            if self.sending() {
                self.send(client, Action::Opinion);
            }
        }
    }

    /// Keeps the model in step with what the server accepted.
    fn applied(&mut self, client: u32, action: Action, created: Option<u32>) {
        match action {
            Action::Opinion => {
                if let Some(id) = created {
                    self.opinions.push((id, client, Vec::new()));
                }
            }
            Action::Raise => {
                self.queued[client as usize] = true;
                self.queue.push_back(client);
            }
            Action::Lower => {
                self.queued[client as usize] = false;
                self.queue.retain(|&c| c != client);
            }
            Action::CallNext => {
                if let Some(c) = self.queue.pop_front() {
                    self.queued[c as usize] = false;
                }
                self.floor = true;
            }
            Action::EndFloor => self.floor = false,
            Action::Second(_) => {}
        }
    }

    /// A refusal is a race with another phone: learn what it says about the state.
    fn refused(&mut self, client: u32, action: Action) {
        match action {
            Action::Raise => self.queued[client as usize] = true,
            Action::Lower => {
                self.queued[client as usize] = false;
                self.queue.retain(|&c| c != client);
            }
            Action::CallNext => self.queue.clear(),
            Action::EndFloor => self.floor = false,
            Action::Opinion | Action::Second(_) => {}
        }
    }
}
