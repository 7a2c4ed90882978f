//! What consent lets an organisation see: the data categories, and a case's coverage as `consent/` computes it and
//! hands it to the decisions here (access never calls back into consent).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a consent (or statutory basis) lets an organisation see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Basic details and contacts: who is in the household, who is involved.
    Basic,
    /// The plan's goals and actions.
    Plan,
    /// ZRM assessments.
    Zrm,
    /// Evaluations.
    Evaluations,
    /// Notes.
    Notes,
}

impl Category {
    pub const ALL: [Category; 5] =
        [Category::Basic, Category::Plan, Category::Zrm, Category::Evaluations, Category::Notes];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Basic => "basic",
            Category::Plan => "plan",
            Category::Zrm => "zrm",
            Category::Evaluations => "evaluations",
            Category::Notes => "notes",
        }
    }
}

/// What an organisation may see of a case today: person id → the categories covered and the basis for each.
pub struct Coverage(pub HashMap<String, BTreeMap<Category, String>>);

impl Coverage {
    /// The basis (consent id) that lets the organisation see `category` of `person`.
    pub fn of(&self, person: &str, category: Category) -> Option<&String> {
        self.0.get(person).and_then(|c| c.get(&category))
    }

    /// A basis for `category` of anyone in the household (for what concerns the household as a whole).
    pub fn any(&self, category: Category) -> Option<&String> {
        self.0.values().find_map(|c| c.get(&category))
    }

    /// The categories covered for anyone in the case, in their fixed order.
    pub fn categories(&self) -> Vec<Category> {
        Category::ALL.into_iter().filter(|&cat| self.any(cat).is_some()).collect()
    }
}

/// What a decision needs to know of a case, whatever the feature's row type.
pub trait CaseFacts {
    fn case_id(&self) -> &str;
    fn team_id(&self) -> &str;
    fn household_id(&self) -> &str;
}
