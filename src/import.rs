//! Import: Microsoft Graph exports of Conditional Access policies, named locations, groups and
//! authentication strengths to readable `.capol` files.

pub mod names;
