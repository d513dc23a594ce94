//! One screen per file.

mod apps;
mod authorize;
mod error;
mod home;
mod login;
mod logout;
mod not_found;

pub use apps::AppsPage;
pub use authorize::AuthorizePage;
pub use error::ErrorPage;
pub use home::HomePage;
pub use login::LoginPage;
pub use logout::{LogoutPage, SignedOutPage};
pub use not_found::NotFoundPage;
