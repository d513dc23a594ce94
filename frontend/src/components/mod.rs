//! Reusable pieces of the screens, one component per file.

mod app_identity;
mod card;
mod language_switch;
mod loading;
mod logo;
mod scope_list;
mod spinner;

pub use app_identity::AppIdentity;
pub use card::Card;
pub use language_switch::LanguageSwitch;
pub use loading::Loading;
pub use logo::Logo;
pub use scope_list::ScopeList;
pub use spinner::Spinner;
