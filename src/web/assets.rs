//! The stylesheet and the small script, compiled into the binary: nothing is fetched from elsewhere.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

const CSS: &str = include_str!("assets/eenplan.css");
const JS: &str = include_str!("assets/eenplan.js");

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assets/eenplan.css", web::get().to(|| async { asset(CSS, "text/css; charset=utf-8") }))
        .route("/assets/eenplan.js", web::get().to(|| async { asset(JS, "text/javascript; charset=utf-8") }));
}

fn asset(body: &'static str, content_type: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        // No personal data: the browser may keep it for an hour.
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

#[cfg(test)]
mod tests {
    /// Every block of the stylesheet is closed: an unclosed one silently swallows every rule after it.
    #[test]
    fn the_stylesheets_blocks_are_balanced() {
        let mut depth = 0i32;
        let mut rest = super::CSS;
        while let Some(start) = rest.find("/*") {
            let (code, after) = rest.split_at(start);
            depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
            assert!(depth >= 0, "a '}}' without its '{{'");
            rest = after.find("*/").map(|end| &after[end + 2..]).unwrap_or("");
        }
        depth += rest.matches('{').count() as i32 - rest.matches('}').count() as i32;
        assert_eq!(depth, 0, "an unclosed block in eenplan.css");
    }
}
