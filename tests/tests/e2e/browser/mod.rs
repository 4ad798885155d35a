//! Browser tests: Debian's headless Chromium driven through chromedriver
//! (fantoccini), against the real server. Screenshots go to `target/screenshots/`.

mod district;
mod flow;
mod follow;
mod plain;
mod record;
mod residents;
mod resilience;
mod views;
mod voice;

use anyhow::{anyhow, bail, Context, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Phone, tablet and projector sizes.
pub const PHONE: (u32, u32) = (390, 844);
/// Tablet (landscape).
pub const TABLET: (u32, u32) = (1180, 820);
/// Projector.
pub const PROJECTOR: (u32, u32) = (1920, 1080);

/// A chromedriver for one test, killed when dropped.
pub struct Driver {
    child: Child,
    url: String,
    /// Chromium's profiles (`org.chromium.Chromium.scoped_dir.*`), kept here and
    /// removed with the driver: a killed browser leaves its profile behind, and a
    /// full run of the suite used to leave ~130 MB of them in `/tmp`.
    _profiles: tempfile::TempDir,
}

impl Driver {
    /// A chromedriver, or `None` (and a line saying so) when Chromium is not
    /// installed and this is not CI: plain `cargo test` on a machine without it
    /// skips the browser tests instead of failing them. Under `CI` they are
    /// never skipped. (`./x test` installs Chromium.)
    pub async fn start_or_skip() -> Result<Option<Driver>> {
        let installed = |name: &str| {
            std::env::var_os("PATH")
                .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
        };
        if !(installed("chromedriver") && std::path::Path::new("/usr/bin/chromium").exists()) {
            if std::env::var_os("CI").is_some() {
                bail!("chromium or chromedriver is not installed, and CI never skips browser tests");
            }
            eprintln!("skipped: chromium not installed (run ./x test)");
            return Ok(None);
        }
        Driver::start().await.map(Some)
    }

    /// Starts chromedriver on a free port and waits until it answers.
    pub async fn start() -> Result<Driver> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let profiles = tempfile::Builder::new().prefix("babahui-chromium.").tempdir()?;
        let child = Command::new("chromedriver")
            // Its own process group, with the browsers it starts: see `Drop`.
            .process_group(0)
            .arg(format!("--port={port}"))
            .env("TMPDIR", profiles.path())
            // Detached from our output, so nothing it leaves behind holds the test's pipes.
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("start chromedriver (./x setup installs chromium-driver)")?;
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while reqwest::get(format!("{url}/status")).await.is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                bail!("chromedriver did not start");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(Driver {
            child,
            url,
            _profiles: profiles,
        })
    }

    /// A new browser (its own profile: its own localStorage, like another phone).
    pub async fn browser(&self, name: &str, size: (u32, u32)) -> Result<Browser> {
        self.browser_with(name, size, &[]).await
    }

    /// A new browser started with more Chromium switches (e.g. JavaScript off).
    pub async fn browser_with(&self, name: &str, size: (u32, u32), extra: &[&str]) -> Result<Browser> {
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--lang=zh-CN",
        ]
        .iter()
        .chain(extra)
        .map(|a| a.to_string())
        .collect();
        args.push(format!("--window-size={},{}", size.0, size.1));
        let caps = json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": args
            }
        });
        let caps = match caps {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&self.url)
            .await?;
        let browser = Browser {
            client,
            name: name.to_owned(),
            driver_url: self.url.clone(),
        };
        browser.set_viewport(size).await?;
        Ok(browser)
    }
}

impl Drop for Driver {
    /// Ends chromedriver and every Chromium it started: they share its process
    /// group. (Killing chromedriver alone left each browser a test did not
    /// close running, ~200 processes after a suite, taking the cores of the
    /// tests that came after.)
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-9", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser window, with helpers that wait for what a person would see.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    name: String,
    driver_url: String,
}

/// How long to wait for something to appear.
const WAIT: Duration = Duration::from_secs(20);

impl Browser {
    /// Opens a URL.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client
            .goto(url)
            .await
            .with_context(|| format!("{}: goto {url}", self.name))
    }

    /// Waits for an element.
    pub async fn find(&self, css: &str) -> Result<Element> {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("{}: no {css}", self.name))
    }

    /// Clicks an element (waiting for it).
    pub async fn click(&self, css: &str) -> Result<()> {
        self.find(css)
            .await?
            .click()
            .await
            .with_context(|| format!("{}: click {css}", self.name))
    }

    /// Clicks the first element matching `css` whose text contains `text`.
    pub async fn click_text(&self, css: &str, text: &str) -> Result<()> {
        let started = Instant::now();
        loop {
            for e in self.client.find_all(Locator::Css(css)).await? {
                if e.text().await.unwrap_or_default().contains(text) {
                    return Ok(e.click().await?);
                }
            }
            if started.elapsed() > WAIT {
                bail!("{}: no {css} with text {text:?}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types into an element.
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let e = self.find(css).await?;
        e.clear().await?;
        e.send_keys(text)
            .await
            .with_context(|| format!("{}: type into {css}", self.name))
    }

    /// Sets a form control's value as a person picking it would, firing its
    /// `input` and `change` events (for selects and date pickers, whose typed
    /// form depends on the browser's locale).
    pub async fn set_value(&self, css: &str, value: &str) -> Result<()> {
        self.find(css).await?;
        let script = format!(
            "const e = document.querySelector({css:?}); e.value = {value:?}; \
             e.dispatchEvent(new Event('input', {{bubbles: true}})); \
             e.dispatchEvent(new Event('change', {{bubbles: true}})); return e.value;"
        );
        self.js(&script).await?;
        Ok(())
    }

    /// The value a form control holds now.
    pub async fn value_of(&self, css: &str) -> Result<String> {
        let v = self
            .js(&format!("return document.querySelector({css:?}).value;"))
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// The page's visible text.
    pub async fn text(&self) -> Result<String> {
        Ok(self.client.find(Locator::Css("body")).await?.text().await?)
    }

    /// Waits until the page's text contains `needle`.
    pub async fn wait_text(&self, needle: &str) -> Result<()> {
        self.wait_until(&format!("text {needle:?}"), |text| text.contains(needle))
            .await
    }

    /// Waits until the page's text satisfies `ok`.
    pub async fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> Result<()> {
        let started = Instant::now();
        loop {
            let text = self.text().await.unwrap_or_default();
            if ok(&text) {
                return Ok(());
            }
            if started.elapsed() > WAIT {
                bail!("{}: waited for {what}; the page shows:\n{text}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Joins through the join page's form as a person does: types the name,
    /// picks the category (if given), ticks "publish my name" (if asked), taps
    /// 加入; then waits for the application to take over the joined page.
    pub async fn join_as(&self, url: &str, name: &str, category: Option<&str>, publish: bool) -> Result<()> {
        self.goto(url).await?;
        self.fill("#plain input[name=name]", name).await?;
        if let Some(category) = category {
            self.click_text("#plain label.chip", category).await?;
        }
        if publish {
            self.click("#plain input[name=publish]").await?;
        }
        self.click("#plain button[type=submit]").await?;
        self.app_ready().await?;
        self.find("button.hand").await?;
        Ok(())
    }

    /// Waits until the application has taken over the page (a join page's
    /// server-drawn first paint, with its plain forms, is gone).
    pub async fn app_ready(&self) -> Result<()> {
        self.wait_count("#loading", 0).await
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> Result<usize> {
        Ok(self.client.find_all(Locator::Css(css)).await?.len())
    }

    /// Waits until `count(css) == n`.
    pub async fn wait_count(&self, css: &str, n: usize) -> Result<()> {
        let started = Instant::now();
        loop {
            let got = self.count(css).await?;
            if got == n {
                return Ok(());
            }
            if started.elapsed() > WAIT {
                bail!("{}: expected {n} of {css}, found {got}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until the first element matching `css` has stopped moving (its
    /// place on screen the same twice in a row): a card that scrolls itself
    /// into view is tapped where it ends up, as a person would.
    pub async fn wait_still(&self, css: &str) -> Result<()> {
        let script = format!(
            "const e = document.querySelector({css:?}); if (!e) return null; const r = e.getBoundingClientRect(); return [r.top, r.left, window.scrollY];"
        );
        let started = Instant::now();
        let mut last = Value::Null;
        loop {
            let now = self.js(&script).await?;
            if !now.is_null() && now == last {
                return Ok(());
            }
            if started.elapsed() > WAIT {
                bail!("{}: {css} kept moving", self.name);
            }
            last = now;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Runs JavaScript and returns its result.
    pub async fn js(&self, script: &str) -> Result<Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// Resizes, waits a moment for layout, and saves `target/screenshots/{name}-{w}x{h}.png`.
    pub async fn screenshot(&self, name: &str, size: (u32, u32)) -> Result<PathBuf> {
        self.set_viewport(size).await?;
        self.js("window.scrollTo(0, 0); return true;").await?;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let png = self.client.screenshot().await?;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}-{}x{}.png", size.0, size.1));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Saves just the element at `css` as `target/screenshots/{name}.png`: for a
    /// panel below the fold of a long page.
    pub async fn screenshot_of(&self, name: &str, css: &str) -> Result<PathBuf> {
        let element = self.find(css).await?;
        self.client
            .execute(
                "arguments[0].scrollIntoView(); return true;",
                vec![serde_json::to_value(&element)?],
            )
            .await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = element.screenshot().await?;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Makes the page's viewport exactly `size`, as on that device: Chrome will
    /// not make a window narrower than 500 px, so a phone is emulated through
    /// the DevTools protocol (chromedriver's `goog/cdp/execute`).
    pub async fn set_viewport(&self, size: (u32, u32)) -> Result<()> {
        self.client.set_window_size(size.0.max(500), size.1 + 100).await?;
        let params = json!({"width": size.0, "height": size.1, "deviceScaleFactor": 1, "mobile": size.0 < 600});
        self.cdp("Emulation.setDeviceMetricsOverride", params).await?;
        Ok(())
    }

    /// Runs a DevTools-protocol command (chromedriver's `goog/cdp/execute`).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value> {
        let session = self
            .client
            .session_id()
            .await?
            .ok_or_else(|| anyhow!("no session id"))?;
        let url = format!("{}/session/{session}/goog/cdp/execute", self.driver_url);
        let resp = reqwest::Client::new()
            .post(url)
            .json(&json!({"cmd": cmd, "params": params}))
            .send()
            .await?;
        if !resp.status().is_success() {
            bail!("{}: {cmd} failed: {}", self.name, resp.text().await?);
        }
        Ok(resp.json().await?)
    }

    /// Prints the page to A4 and keeps the PDF as `{name}.pdf` beside the
    /// screenshots; its number of pages (each an object `/Type /Page`; the
    /// tree's is `/Type /Pages`).
    pub async fn print_a4(&self, name: &str) -> Result<usize> {
        let pdf = self
            .cdp(
                "Page.printToPDF",
                serde_json::json!({"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": true}),
            )
            .await?;
        let data = pdf["value"]["data"].as_str().ok_or_else(|| anyhow!("no PDF data"))?;
        let bytes = data_encoding::BASE64.decode(data.as_bytes())?;
        anyhow::ensure!(bytes.starts_with(b"%PDF"), "a PDF");
        std::fs::write(screenshot_dir().join(format!("{name}.pdf")), &bytes)?;
        let marker = b"/Type /Page";
        Ok(bytes
            .windows(marker.len() + 1)
            .filter(|w| w.starts_with(marker) && w[marker.len()] != b's')
            .count())
    }

    /// Screenshots at phone, tablet and projector sizes, then back to `back_to`.
    pub async fn screenshots(&self, name: &str, back_to: (u32, u32)) -> Result<()> {
        for size in [PHONE, TABLET, PROJECTOR] {
            self.screenshot(name, size).await?;
        }
        self.set_viewport(back_to).await
    }

    /// Whether the page's layout overflows horizontally (something cut off or a side scrollbar).
    pub async fn overflows_horizontally(&self) -> Result<bool> {
        let v = self
            .js("return document.documentElement.scrollWidth > window.innerWidth + 1;")
            .await?;
        v.as_bool().ok_or_else(|| anyhow!("not a bool"))
    }

    /// Readability on a phone: visible text under 18 px, and touch targets
    /// (buttons, links, fields) under 44 px tall; a checkbox or a radio button
    /// is measured by its label, which is what a finger taps. Returns what
    /// falls short.
    pub async fn readability_problems(&self) -> Result<Vec<String>> {
        self.readability_problems_at(18, 44).await
    }

    /// Text under `text_px` and touch targets under `target_px` (大字 mode asks 24 and 56).
    pub async fn readability_problems_at(&self, text_px: u32, target_px: u32) -> Result<Vec<String>> {
        let script = r#"
            const [minText, minTarget] = arguments;
            const out = [];
            for (const el of document.querySelectorAll('body *')) {
                if (!el.getClientRects().length) continue;
                const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
                const fs = parseFloat(getComputedStyle(el).fontSize);
                if (own && fs < minText) out.push('text ' + fs + 'px: ' + el.textContent.trim().slice(0, 30));
            }
            for (const el of document.querySelectorAll('button, a, input, select, textarea')) {
                if (!el.getClientRects().length) continue;
                const ticked = el.type === 'checkbox' || el.type === 'radio';
                const h = ((ticked && el.closest('label')) || el).getBoundingClientRect().height;
                if (h < minTarget) out.push('target ' + Math.round(h) + 'px: ' + (el.textContent || el.name || el.tagName).trim().slice(0, 30));
            }
            return out;"#;
        let v = self
            .client
            .execute(script, vec![json!(text_px), json!(target_px)])
            .await
            .with_context(|| format!("{}: readability", self.name))?;
        Ok(v.as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
            .unwrap_or_default())
    }

    /// Ends the session.
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// `target/screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(|p| p.join("screenshots"))
        .unwrap_or_default()
}
