//! Help text written in Markdown by admins, rendered to HTML that is safe to show in the
//! portal: the allow-list keeps formatting, lists, tables and links, and drops scripts, styles,
//! event handlers and links to anything but http, https and mailto.

use pulldown_cmark::{Options, Parser, html};

/// Renders `source` to sanitized HTML.
pub fn to_safe_html(source: &str) -> String {
    if source.trim().is_empty() {
        return String::new();
    }
    let parser = Parser::new_ext(
        source,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    let mut rendered = String::new();
    html::push_html(&mut rendered, parser);
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&rendered)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::to_safe_html;

    #[test]
    fn formatting_stays_and_scripts_go() {
        let html = to_safe_html(
            "**Bold** and a [guide](https://intranet.example/vdi).\n\n\
             <script>alert(1)</script>\n\n[bad](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<strong>Bold</strong>"), "{html}");
        assert!(
            html.contains("href=\"https://intranet.example/vdi\""),
            "{html}"
        );
        assert!(
            html.contains("rel=\"noopener noreferrer nofollow\""),
            "{html}"
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert_eq!(to_safe_html("  "), "");
    }
}
