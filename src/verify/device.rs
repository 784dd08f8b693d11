//! The device dimension: each distinct filter-for-devices rule is a free condition — a device
//! matches it or not — and concrete devices are searched for every combination an example needs.
//!
//! Treating the rules as independent booleans over-approximates: two rules may never both hold
//! (`trustType -eq "AzureAD"` and `trustType -eq "ServerAD"`). Proofs stay sound (no sign-in
//! escapes the model); an example is only shown with a concrete device, found by trying devices
//! built from the values the rules mention, and a combination no such device reaches is
//! reported as such (`docs/verify.md`).

use std::collections::BTreeMap;

use crate::devfilter::{self, Device, DeviceValue};

/// A device that no rule mentions a value of: what the negative operators hold on.
const FRESH: &str = "capol-other";

/// Most candidate devices tried when looking for witnesses.
const MAX_CANDIDATES: usize = 20_000;

/// The distinct device filter rules of the programs and the devices found for their
/// combinations.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Rule texts, in first-seen order.
    pub texts: Vec<String>,
    rules: Vec<devfilter::Rule>,
    /// Combinations reached by a concrete device, with the first (simplest) such device; the
    /// unregistered device comes first.
    pub witnesses: Vec<(Vec<bool>, Device)>,
}

impl Filters {
    /// The filters of these rule texts (those that parse; others make their policy invalid and
    /// are not part of the model).
    pub fn new(texts: Vec<String>) -> Filters {
        let mut kept = Vec::new();
        let mut rules = Vec::new();
        for t in texts {
            if kept.contains(&t) {
                continue;
            }
            if let Ok(rule) = devfilter::parse(&t) {
                kept.push(t);
                rules.push(rule);
            }
        }
        let mut filters = Filters { texts: kept, rules, witnesses: Vec::new() };
        filters.search();
        filters
    }

    /// The number of rules.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// True when there are no rules.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// The index of a rule text.
    pub fn index(&self, text: &str) -> Option<usize> {
        self.texts.iter().position(|t| t == text)
    }

    /// Which rules a device matches.
    pub fn vector(&self, device: &Device) -> Vec<bool> {
        self.rules.iter().map(|r| r.matches(device)).collect()
    }

    /// A concrete device matching exactly the rules marked true.
    pub fn witness(&self, vector: &[bool]) -> Option<&Device> {
        self.witnesses.iter().find(|(v, _)| v == vector).map(|(_, d)| d)
    }

    fn search(&mut self) {
        let unregistered = Device::default();
        self.witnesses.push((self.vector(&unregistered), unregistered));
        if self.rules.is_empty() {
            return;
        }
        let mut per_attribute: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        for (text, rule) in self.texts.iter().zip(&self.rules) {
            for attribute in rule.attributes() {
                per_attribute.entry(attribute).or_default();
            }
            for (attribute, literal) in literals(text) {
                let list = per_attribute.entry(attribute).or_default();
                if !list.contains(&literal) {
                    list.push(literal);
                }
            }
        }
        let attributes: Vec<(&'static str, Vec<Option<DeviceValue>>)> = per_attribute
            .into_iter()
            .map(|(attribute, literals)| (attribute, candidates(attribute, &literals)))
            .collect();
        let mut digits = vec![0usize; attributes.len()];
        for _ in 0..MAX_CANDIDATES {
            let mut device = Device { registered: true, ..Device::default() };
            for ((attribute, values), &d) in attributes.iter().zip(&digits) {
                if let Some(Some(value)) = values.get(d) {
                    let _ = device.set(attribute, value.clone());
                }
            }
            let vector = self.vector(&device);
            if !self.witnesses.iter().any(|(v, _)| *v == vector) {
                self.witnesses.push((vector, device));
                if self.witnesses.len() >= 1usize << self.rules.len().min(20) {
                    return;
                }
            }
            // Next combination, mixed radix; stop after the last.
            let mut carried = true;
            for (digit, (_, values)) in digits.iter_mut().zip(&attributes) {
                *digit += 1;
                if *digit < values.len() {
                    carried = false;
                    break;
                }
                *digit = 0;
            }
            if carried {
                return;
            }
        }
    }
}

/// Values to try for an attribute: unset first, then the rules' own values, then one no rule
/// mentions.
fn candidates(attribute: &str, literals: &[String]) -> Vec<Option<DeviceValue>> {
    let mut out = vec![None];
    match attribute {
        "isCompliant" => {
            out.push(Some(DeviceValue::Bool(true)));
            out.push(Some(DeviceValue::Bool(false)));
        }
        "physicalIds" | "systemLabels" => {
            out.extend(literals.iter().map(|l| Some(DeviceValue::List(vec![l.clone()]))));
            out.push(Some(DeviceValue::List(vec![FRESH.to_owned()])));
            out.push(Some(DeviceValue::List(Vec::new())));
        }
        _ => {
            out.extend(literals.iter().map(|l| Some(DeviceValue::Text(l.clone()))));
            out.push(Some(DeviceValue::Text(FRESH.to_owned())));
        }
    }
    out
}

/// The quoted values of a rule, each with the attribute it is compared to (the attribute
/// named last before it).
fn literals(rule: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut current: Option<&'static str> = None;
    let mut chars = rule.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '"' || c == '\'' {
            let mut text = String::new();
            let mut escaped = false;
            for (_, d) in chars.by_ref() {
                if escaped {
                    text.push(d);
                    escaped = false;
                } else if d == '\\' {
                    escaped = true;
                } else if d == c {
                    break;
                } else {
                    text.push(d);
                }
            }
            if let Some(a) = current {
                out.push((a, text));
            }
        } else if c.is_alphabetic() {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() || d == '.' || d == '_' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let word = rule.get(i..end).unwrap_or("");
            let name = word.strip_prefix("device.").or_else(|| word.strip_prefix("Device.")).unwrap_or(word);
            if let Some(a) = devfilter::ATTRIBUTES.iter().find(|a| a.eq_ignore_ascii_case(name)) {
                current = Some(a);
            }
        }
    }
    out
}

/// A device as the `device` object of a scenario: `registered` plus its properties.
pub fn to_json(device: &Device) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    map.insert("registered".into(), serde_json::Value::Bool(device.registered));
    for (name, value) in &device.props {
        let v = match value {
            DeviceValue::Text(t) => serde_json::Value::String(t.clone()),
            DeviceValue::Bool(b) => serde_json::Value::Bool(*b),
            DeviceValue::List(l) => {
                serde_json::Value::Array(l.iter().cloned().map(serde_json::Value::String).collect())
            }
        };
        map.insert(name.clone(), v);
    }
    serde_json::Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_combination_of_independent_rules_has_a_device() {
        let f = Filters::new(vec![
            "device.isCompliant -eq True -or device.trustType -eq \"ServerAD\"".into(),
            "device.trustType -eq \"AzureAD\"".into(),
        ]);
        assert_eq!(f.len(), 2);
        assert_eq!(f.witnesses[0].0, vec![false, false]);
        for v in [[false, false], [true, false], [false, true], [true, true]] {
            let d = f.witness(&v).unwrap_or_else(|| panic!("{v:?}"));
            assert_eq!(f.vector(d), v.to_vec());
        }
    }

    #[test]
    fn exclusive_rules_leave_a_combination_without_a_device() {
        let f = Filters::new(vec![
            "device.trustType -eq \"AzureAD\"".into(),
            "device.trustType -eq \"ServerAD\"".into(),
        ]);
        assert!(f.witness(&[true, true]).is_none());
        assert!(f.witness(&[true, false]).is_some());
        assert!(f.witness(&[false, true]).is_some());
    }

    #[test]
    fn negative_operators_hold_on_the_unregistered_device() {
        let f = Filters::new(vec!["device.extensionAttribute1 -ne \"x\"".into(), "not a rule (".into()]);
        assert_eq!(f.len(), 1);
        assert_eq!(f.witnesses[0].0, vec![true]);
        assert!(f.witness(&[false]).is_some());
    }

    #[test]
    fn devices_serialise_as_scenario_devices() {
        let f = Filters::new(vec![
            "device.trustType -eq \"AzureAD\" -or device.trustType -eq \"ServerAD\"".into(),
        ]);
        assert_eq!(f.len(), 1, "the rule parses");
        let d = f.witness(&[true]).unwrap();
        let json = to_json(d);
        let parsed =
            crate::eval::Scenario::from_value(&serde_json::json!({"app": "x", "device": json})).unwrap();
        assert_eq!(f.vector(parsed.device.as_ref().unwrap()), vec![true]);
    }
}
