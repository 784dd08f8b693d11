//! "Did you mean" suggestions for misspelt names and words.

/// The closest candidate to `word`, if one is close enough to be a plausible typo. A
/// case-insensitive exact match wins; otherwise the smallest edit distance, with a threshold
/// that grows with the word's length so short words do not match everything.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let candidate_lower = candidate.to_lowercase();
        if candidate_lower == lower {
            return Some(candidate);
        }
        let distance = strsim::damerau_levenshtein(&lower, &candidate_lower);
        let threshold = (word.chars().count().max(candidate.chars().count()) / 3).max(1);
        let prefix_match = (candidate_lower.starts_with(&lower) && lower.len() >= 3)
            || (lower.starts_with(&candidate_lower) && candidate_lower.len() >= 2)
            || (lower.ends_with(&candidate_lower) && candidate_lower.len() >= 4);
        let similar = strsim::jaro_winkler(&lower, &candidate_lower) >= 0.9;
        if (distance <= threshold || prefix_match || similar) && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// `did you mean `x`?` for the closest candidate.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_and_case() {
        assert_eq!(closest("hr_onbaording", ["hr_onboarding", "break_glass"]), Some("hr_onboarding"));
        assert_eq!(closest("IOS", ["ios", "android"]), Some("ios"));
        assert_eq!(closest("xyz", ["ios", "android"]), None);
    }
}
