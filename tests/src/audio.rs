//! Recordings as phones make them, for the tests: real files made by ffmpeg
//! (Debian's, installed by `./x test`), a tone of a given length in the
//! containers a phone's recorder and a browser produce.

use anyhow::{ensure, Context, Result};
use std::process::Command;

/// A recording of `secs` seconds of a 440 Hz tone: `ogg` is Opus in Ogg (a
/// browser's recorder, WeChat's files), `m4a` is AAC in MP4 (a phone's own
/// recorder), `webm` is Opus in WebM (Chrome's MediaRecorder). Opus at
/// 12 kbit/s, so ten minutes fit under the size limit and are refused for length.
pub fn tone(secs: u32, container: &str) -> Result<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join(format!("clip.{container}"));
    let codec = match container {
        "ogg" | "webm" => ["-c:a", "libopus", "-b:a", "12k"],
        "m4a" => ["-c:a", "aac", "-b:a", "64k"],
        other => anyhow::bail!("no recipe for {other}"),
    };
    let status = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("sine=frequency=440:duration={secs}"))
        .args(["-ac", "1"])
        .args(codec)
        .arg(&out)
        .status()
        .context("run ffmpeg (./x test installs it)")?;
    ensure!(status.success(), "ffmpeg failed: {status}");
    Ok(std::fs::read(&out)?)
}

/// A `multipart/form-data` body as the plain phone page's voice form sends
/// it: text fields, then the recording in a part named `clip`. Returns its
/// content type and the body.
pub fn form(fields: &[(&str, &str)], recording: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----babahui-test-boundary-voice-9QbX";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"clip\"; filename=\"录音.m4a\"\r\nContent-Type: audio/mp4\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(recording);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
