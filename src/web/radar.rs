//! A ZRM radar chart, computed on the server: one spoke per domain, rings for the scores 1 to 5, and a polygon
//! for each assessment. Pure geometry; the template draws it as an inline SVG with presentation attributes (the CSP
//! forbids inline styles), and the page shows the same figures in a table beside it.

/// The chart's canvas is `WIDTH` × `HEIGHT` user units (wider than high, for the labels left and right); the spokes
/// end at `RADIUS` from the centre.
pub const WIDTH: f64 = 480.0;
pub const HEIGHT: f64 = 340.0;
pub const RADIUS: f64 = 120.0;
const CENTRE_X: f64 = WIDTH / 2.0;
const CENTRE_Y: f64 = HEIGHT / 2.0;

/// One spoke: where it ends, and where its label goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Spoke {
    pub label: String,
    pub x: String,
    pub y: String,
    pub label_x: String,
    pub label_y: String,
    /// `start`, `middle` or `end`: which side of the label touches the spoke's end.
    pub anchor: &'static str,
}

/// A drawn assessment: the polygon's points, and a dot per scored domain.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub points: String,
    pub dots: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Radar {
    pub width: String,
    pub height: String,
    pub centre_x: String,
    pub centre_y: String,
    pub spokes: Vec<Spoke>,
    /// One ring per score 1..5 (polygon points).
    pub rings: Vec<String>,
    pub current: Shape,
    pub previous: Option<Shape>,
}

fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// The point of `score` (0 = the centre, 5 = the spoke's end) on spoke `i` of `count`; the first spoke points up,
/// the others follow clockwise.
pub fn point(i: usize, count: usize, score: f64) -> (f64, f64) {
    let angle = -std::f64::consts::FRAC_PI_2 + 2.0 * std::f64::consts::PI * i as f64 / count.max(1) as f64;
    let r = RADIUS * score.clamp(0.0, 5.0) / 5.0;
    (CENTRE_X + r * angle.cos(), CENTRE_Y + r * angle.sin())
}

/// The polygon of one assessment: an unscored domain (`None`) lies at the centre and gets no dot.
pub fn shape(scores: &[Option<u8>]) -> Shape {
    let count = scores.len();
    let mut points = Vec::with_capacity(count);
    let mut dots = Vec::new();
    for (i, s) in scores.iter().enumerate() {
        let (x, y) = point(i, count, s.map(f64::from).unwrap_or(0.0));
        points.push(format!("{},{}", n(x), n(y)));
        if s.is_some() {
            dots.push((n(x), n(y)));
        }
    }
    Shape { points: points.join(" "), dots }
}

/// The chart of `labels` (one per domain, in order) with the current scores and, when given, the previous ones.
pub fn radar(labels: &[&str], current: &[Option<u8>], previous: Option<&[Option<u8>]>) -> Radar {
    let count = labels.len();
    let spokes = labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let (x, y) = point(i, count, 5.0);
            let (lx, ly) = point(i, count, 5.5);
            let anchor = if (lx - CENTRE_X).abs() < 1.0 {
                "middle"
            } else if lx > CENTRE_X {
                "start"
            } else {
                "end"
            };
            Spoke { label: label.to_string(), x: n(x), y: n(y), label_x: n(lx), label_y: n(ly + 4.0), anchor }
        })
        .collect();
    let rings = (1..=5)
        .map(|s| {
            (0..count)
                .map(|i| {
                    let (x, y) = point(i, count, s as f64);
                    format!("{},{}", n(x), n(y))
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    Radar {
        width: n(WIDTH),
        height: n(HEIGHT),
        centre_x: n(CENTRE_X),
        centre_y: n(CENTRE_Y),
        spokes,
        rings,
        current: shape(current),
        previous: previous.map(shape),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_lie_on_their_spoke_at_a_fifth_of_the_radius_per_point() {
        // Four spokes: up, right, down, left.
        let (x, y) = point(0, 4, 5.0);
        assert_eq!((n(x), n(y)), ("240".to_string(), "50".to_string()));
        let (x, y) = point(1, 4, 5.0);
        assert_eq!((n(x), n(y)), ("360".to_string(), "170".to_string()));
        let (x, y) = point(2, 4, 1.0);
        assert_eq!((n(x), n(y)), ("240".to_string(), "194".to_string()));
        let (x, y) = point(3, 4, 2.5);
        assert_eq!((n(x), n(y)), ("180".to_string(), "170".to_string()));
    }

    #[test]
    fn an_unscored_domain_sits_at_the_centre_without_a_dot() {
        let s = shape(&[Some(5), None, Some(1), Some(2)]);
        assert_eq!(s.points, "240,50 240,170 240,194 192,170");
        assert_eq!(s.dots.len(), 3);
    }

    #[test]
    fn the_chart_has_a_spoke_per_domain_five_rings_and_both_assessments() {
        let r = radar(&["a", "b", "c"], &[Some(3), Some(4), None], Some(&[Some(1), Some(1), Some(1)]));
        assert_eq!(r.spokes.len(), 3);
        assert_eq!(r.rings.len(), 5);
        assert_eq!(r.spokes[0].anchor, "middle");
        assert_eq!(r.spokes[1].anchor, "start");
        assert_eq!(r.spokes[2].anchor, "end");
        assert_eq!(r.current.dots.len(), 2);
        assert_eq!(r.previous.as_ref().map(|p| p.dots.len()), Some(3));
        assert!(radar(&["a"], &[Some(1)], None).previous.is_none());
    }
}
