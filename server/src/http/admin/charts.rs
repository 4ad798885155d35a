//! Charts drawn as SVG inside the page: bars a person reads at a glance, with
//! the numbers written on them, black on white so that they print. No script
//! and nothing fetched from elsewhere.

use crate::service::dashboard::Series;
use babahui_shared::minutes::escape;
use std::fmt::Write;

const INK: &str = "#0b3d91";

/// Horizontal bars, one per label, each with its number (and `unit`).
pub fn bars(series: &Series, unit: &str, title: &str) -> String {
    if series.iter().all(|(_, n)| *n == 0) {
        return "<p class=\"empty\">暂无数据 <span class=\"en\">No data</span></p>".into();
    }
    let (label_w, bar_w, row_h) = (190.0, 380.0, 36.0);
    let max = series.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
    let total: u64 = series.iter().map(|(_, n)| n).sum();
    let height = row_h * series.len() as f64 + 8.0;
    let mut svg = format!(
        r#"<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {w} {height}" width="100%" style="max-width:{w}px" xmlns="http://www.w3.org/2000/svg">"#,
        escape(title),
        w = label_w + bar_w + 150.0,
    );
    for (i, (label, n)) in series.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let len = (*n as f64 / max * bar_w).max(if *n > 0 { 2.0 } else { 0.0 });
        let share = if total > 0 {
            *n as f64 * 100.0 / total as f64
        } else {
            0.0
        };
        let _ = write!(
            svg,
            r##"<text x="{lx}" y="{ty}" text-anchor="end" font-size="18" fill="#111">{label}</text><rect x="{label_w}" y="{ry}" width="{len:.1}" height="{bh}" fill="{INK}"/><text x="{vx:.1}" y="{ty}" font-size="18" fill="#111">{n}{unit}（{share:.0}%）</text>"##,
            lx = label_w - 8.0,
            ty = y + 23.0,
            label = escape(label),
            ry = y + 5.0,
            bh = row_h - 10.0,
            vx = label_w + len + 8.0,
            unit = escape(unit),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Columns over time (months), each with its number.
pub fn columns(series: &Series, title: &str) -> String {
    if series.is_empty() {
        return "<p class=\"empty\">暂无数据 <span class=\"en\">No data</span></p>".into();
    }
    let (col_w, chart_h, base) = (54.0, 180.0, 220.0);
    let max = series.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
    let width = col_w * series.len() as f64 + 20.0;
    let mut svg = format!(
        r##"<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {width} 270" width="100%" style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg"><line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#111" stroke-width="2"/>"##,
        escape(title)
    );
    for (i, (label, n)) in series.iter().enumerate() {
        let x = 10.0 + col_w * i as f64;
        let h = *n as f64 / max * chart_h;
        let _ = write!(
            svg,
            r##"<rect x="{rx}" y="{ry:.1}" width="{cw}" height="{h:.1}" fill="{INK}"/><text x="{cx}" y="{ny:.1}" text-anchor="middle" font-size="18" fill="#111">{n}</text><text x="{cx}" y="{ly}" text-anchor="middle" font-size="18" fill="#111">{label}</text><text x="{cx}" y="{yy}" text-anchor="middle" font-size="18" fill="#111">{year}</text>"##,
            rx = x + 6.0,
            ry = base - h,
            cw = col_w - 12.0,
            cx = x + col_w / 2.0,
            ny = base - h - 6.0,
            ly = base + 20.0,
            label = month_of(label),
            yy = base + 42.0,
            year = if i == 0 || month_of(label) == "1月" {
                label.get(..4).unwrap_or("")
            } else {
                ""
            },
        );
    }
    svg.push_str("</svg>");
    svg
}

/// `2026-03` as a column reads it: 3月 (the year is written under January
/// and the first column).
fn month_of(label: &str) -> String {
    match label.get(5..).and_then(|m| m.parse::<u32>().ok()) {
        Some(m) => format!("{m}月"),
        None => label.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_carry_their_numbers_and_escape_their_labels() {
        let svg = bars(&vec![("<居民>".into(), 30), ("物业".into(), 10)], "人", "出席");
        assert!(svg.contains("&lt;居民&gt;"));
        assert!(svg.contains("30人（75%）"));
        assert!(svg.contains("10人（25%）"));
        assert!(bars(&vec![("居民".into(), 0)], "人", "t").contains("暂无数据"));
    }
}
