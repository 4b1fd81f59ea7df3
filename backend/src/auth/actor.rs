//! Who did something, in the form the audit log stores.

use shared::permissions::Role;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(String);

impl Actor {
    pub fn admin_session(username: &str, role: Role) -> Actor {
        Actor(format!("admin:session:{username}:{}", role.as_str()))
    }

    pub fn token(name: &str) -> Actor {
        Actor(format!("token:{name}"))
    }

    pub fn legacy_key() -> Actor {
        Actor("admin:legacy_key".into())
    }

    pub fn portal_user(email: &str) -> Actor {
        Actor(format!("portal:user:{email}"))
    }

    pub fn approval_link(email: &str) -> Actor {
        Actor(format!("approval_link:{email}"))
    }

    pub fn system(job: &str) -> Actor {
        Actor(format!("system:{job}"))
    }

    /// A sign-in attempt that did not succeed, named by the username it tried.
    pub fn anonymous(username: &str) -> Actor {
        Actor(format!("anonymous:{username}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
