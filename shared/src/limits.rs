//! Sizes and lengths. The server enforces them; the client uses them to stop
//! typing early rather than let a long opinion bounce.

/// Largest WebSocket text frame the server reads and answers with an error
/// instead of dropping the connection.
pub const FRAME_MAX_BYTES: usize = 16 * 1024;
/// Largest HTTP JSON body.
pub const HTTP_BODY_MAX_BYTES: usize = 64 * 1024;
/// Opinion text, in characters.
pub const OPINION_MAX_CHARS: usize = 1000;
/// Meeting and topic titles, in characters.
pub const TITLE_MAX_CHARS: usize = 100;
/// Place and start time, in characters.
pub const PLACE_MAX_CHARS: usize = 100;
/// Display names, in characters.
pub const NAME_MAX_CHARS: usize = 40;
/// Category labels (opinion and attendee), in characters.
pub const CATEGORY_MAX_CHARS: usize = 20;
/// How many categories a meeting may configure of each kind.
pub const CATEGORIES_MAX: usize = 30;
/// Reasons (for hiding an opinion), in characters.
pub const REASON_MAX_CHARS: usize = 200;
/// Wi-Fi network name, in characters (the standard allows 32 bytes).
pub const WIFI_SSID_MAX_CHARS: usize = 32;
/// Wi-Fi password, in characters (WPA allows 63).
pub const WIFI_PASSWORD_MAX_CHARS: usize = 63;
/// Text a QR code may be asked for over the API, in bytes.
pub const QR_TEXT_MAX_BYTES: usize = 600;
/// Options of a choice vote.
pub const VOTE_OPTIONS_MAX: usize = 10;
/// A show-of-hands count.
pub const HAND_COUNT_MAX: u32 = 100_000;
/// Default notice period of published minutes (公示期), days.
pub const DEFAULT_NOTICE_DAYS: u32 = 5;
/// Longest notice period, days.
pub const NOTICE_DAYS_MAX: u32 = 60;
/// The moderator's summary, in characters.
pub const SUMMARY_MAX_CHARS: usize = 5000;
/// Objections to one meeting's minutes.
pub const OBJECTIONS_MAX: usize = 1000;
/// Bytes of objection text one meeting holds, all objections together.
pub const OBJECTION_TEXT_MAX_BYTES: usize = 300 * 1024;
/// Published versions of one meeting's minutes (the first and its corrections).
pub const PUBLICATIONS_MAX: usize = 5;
/// Opinions one meeting holds (a long real meeting has a few hundred).
pub const OPINIONS_MAX: usize = 5000;
/// Bytes of opinion text one meeting holds, all opinions together (about
/// 200,000 Chinese characters): bounds the state every phone loads.
pub const OPINION_TEXT_MAX_BYTES: usize = 600 * 1024;
/// People in one meeting (joined, walk-ins and officials together).
pub const PARTICIPANTS_MAX: usize = 12_000;
/// Agenda topics in one meeting.
pub const TOPICS_MAX: usize = 100;
/// Time box of one topic, minutes.
pub const TOPIC_MINUTES_MAX: u32 = 600;
/// Command id length, bytes.
pub const COMMAND_ID_MAX: usize = 64;
/// Speaking limit bounds, seconds.
pub const SPEAKING_LIMIT_MIN_SECS: u32 = 10;
/// Speaking limit bounds, seconds.
pub const SPEAKING_LIMIT_MAX_SECS: u32 = 3600;
/// Default speaking limit, seconds (three minutes, the common courtyard rule).
pub const DEFAULT_SPEAKING_LIMIT_SECS: u32 = 180;
/// Default limit for a resident's short follow-up question (追问), seconds.
pub const FOLLOW_UP_LIMIT_SECS: u32 = 60;
/// Reviews (回顾) in one meeting.
pub const REVIEWS_MAX: usize = 100;
/// Photos a resident may attach to a matter, or a worker to a progress line.
pub const PHOTOS_MAX: usize = 3;
/// Bytes of one photo as sent (a phone's camera JPEG is 2–8 MB).
pub const PHOTO_UPLOAD_MAX_BYTES: usize = 12 * 1024 * 1024;
/// Pixels of one photo as sent: a 48-megapixel phone mode is refused with
/// words that say to send a smaller one (decoding it takes ~200 MB).
pub const PHOTO_PIXELS_MAX: u64 = 40_000_000;
/// Long side of a photo as stored and shown, in pixels.
pub const PHOTO_LONG_SIDE: u32 = 1600;
/// Length of a spoken opinion (语音): a minute, as a speaking turn's
/// follow-up; the server measures it from the clip.
pub const VOICE_MAX_MS: u32 = 60_000;
/// What a phone's recorder may run over the minute (it stops by hand).
pub const VOICE_GRACE_MS: u32 = 2_000;
/// Bytes of one voice clip as sent: a minute at 192 kbit/s, the highest a
/// phone's voice recorder uses (AAC in M4A at 64–128, Opus in Ogg/WebM at 32).
pub const VOICE_UPLOAD_MAX_BYTES: usize = 1536 * 1024;
/// Bytes of voice clips in one meeting (a hundred ordinary ones): it bounds
/// the meeting's archive and what one meeting may take of the disk.
pub const VOICE_MEETING_MAX_BYTES: u64 = 48 * 1024 * 1024;
/// A phone number a resident leaves for the committee.
pub const PHONE_MAX_CHARS: usize = 20;
