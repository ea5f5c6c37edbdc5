//! One emulator per test binary, seeded once with the binary's scenario and shared by
//! its tests that inject no faults (a fault would leak into the others).

use std::sync::OnceLock;

use super::{Emulator, Seeded};

pub struct Lab {
    pub scenario: &'static str,
    pub emu: Emulator,
    pub seeded: Seeded,
}

/// The binary's lab, started and seeded with `scenario` on first use. A test binary
/// has one lab: asking for another scenario is a bug in the test.
pub fn lab(scenario: &'static str) -> &'static Lab {
    static LAB: OnceLock<Lab> = OnceLock::new();
    let lab = LAB.get_or_init(|| {
        let emu = Emulator::start();
        let seeded = emu.seed(scenario);
        Lab {
            scenario,
            emu,
            seeded,
        }
    });
    assert_eq!(
        lab.scenario, scenario,
        "this test binary's lab is seeded with {:?}",
        lab.scenario
    );
    lab
}

impl Lab {
    /// The real id of a named scenario resource.
    pub fn id(&self, name: &str) -> &str {
        self.seeded.id(name)
    }

    /// A scenario name for a real id (for messages), or the id itself.
    pub fn name_of(&self, id: &str) -> String {
        self.seeded
            .ids
            .iter()
            .find(|(_, v)| v.as_str() == id)
            .map_or_else(|| id.to_string(), |(k, _)| k.clone())
    }

    pub fn names(&self, ids: &[String]) -> Vec<String> {
        ids.iter().map(|id| self.name_of(id)).collect()
    }
}
