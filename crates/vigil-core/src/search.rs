//! Finding reports, cases and chat exports by an identifier (normalised as
//! linking normalises it; a bare username matches it on any platform), a
//! report or exhibit reference, a case ID or a person's name. Need-to-know
//! decides what is searched, not what is shown afterwards: what an officer
//! may not see is never looked at, so it cannot be found or hinted at.
//! Every search is a `searched` custody event with its query.

use crate::case_work::Need;
use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::OfficerSession;
use serde::Serialize;
use std::collections::BTreeSet;
use vigil_domain::{CaseId, CustodyEvent, EventKind, ExhibitRef, Identifier, IdentifierKind, ObjectRef};

/// The most of each kind of result one search shows.
pub const SEARCH_LIMIT: usize = 200;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReportHit {
    pub report: ExhibitRef,
    /// What matched: `identifier email:…`, `reference`.
    pub matched: String,
    /// The cases holding it that the officer may see: the way to it for
    /// roles that do not work the triage queue.
    pub cases: Vec<CaseId>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseHit {
    pub case: CaseId,
    pub title: String,
    pub matched: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChatHit {
    pub exhibit: ExhibitRef,
    pub case: CaseId,
    pub identifier: String,
    pub first_source: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct SearchResults {
    pub query: String,
    /// How the query was read: the identifier it normalises to, if any.
    pub as_identifier: Option<String>,
    pub reports: Vec<ReportHit>,
    pub cases: Vec<CaseHit>,
    pub chats: Vec<ChatHit>,
}

/// `LIKE` pattern text with its wildcards escaped.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

impl Vigil {
    /// Searches what the officer may see. Prosecutors and administrators
    /// have no search: they see only what is revealed or configured.
    pub fn search(&self, query: &str, officer: &OfficerSession) -> Result<SearchResults, CoreError> {
        let actor = vigil_domain::Actor::parse(&officer.username)?;
        if !officer.role.may_search() {
            return Err(CoreError::Forbidden(format!("the {} role has no search", officer.role)));
        }
        let q = query.trim();
        if q.chars().count() < 2 || q.chars().count() > 200 || q.chars().any(char::is_control) {
            return Err(CoreError::InvalidInput {
                field: "q".into(),
                why: "give 2 to 200 characters to search for".into(),
            });
        }
        let all_reports = officer.role.works_triage();
        // The cases this officer may read; nothing outside them is searched.
        // Supervisors and auditors read every case; others, those they are
        // assigned to (one query either way, however many cases there are).
        let reads_all = Need::Read.allows(officer.role, false);
        let member = (!reads_all).then_some(officer.username.as_str());
        let visible: Option<BTreeSet<CaseId>> = match member {
            None => None,
            Some(m) => Some(self.store.read()?.cases_of_member(m)?.into_iter().map(|(c, _)| c).collect()),
        };
        let may_see = |c: &CaseId| visible.as_ref().is_none_or(|v| v.contains(c));
        let report_visible = |v: &Vigil, r: &ExhibitRef| -> Result<bool, CoreError> {
            if all_reports {
                return Ok(true);
            }
            Ok(v.store.read()?.cases_of_report(r)?.iter().any(&may_see))
        };
        let mut out = SearchResults { query: q.to_owned(), ..Default::default() };

        // An identifier, exactly as linking normalises it; a username with
        // no platform on any platform.
        let normalised = Identifier::normalise(q, "");
        let pattern = normalised.as_ref().map(|id| match id.kind {
            IdentifierKind::Username if !id.value.contains('/') => {
                format!("username:%/{}", like_escape(&id.value))
            }
            _ => like_escape(&id.to_string()),
        });
        out.as_identifier = normalised.as_ref().map(ToString::to_string);
        if let Some(p) = &pattern {
            let (reports, exhibits) = self.store.read()?.identifiers_like(p, (SEARCH_LIMIT * 4) as u32)?;
            let mut bare = None;
            if let Some(id) = normalised.as_ref().filter(|i| i.kind == IdentifierKind::Username) {
                // `username:alice` itself, stored when a report named no platform.
                bare = Some(
                    self.store.read()?.identifiers_like(&like_escape(&id.to_string()), (SEARCH_LIMIT * 4) as u32)?,
                );
            }
            let (more_r, more_e) = bare.unwrap_or_default();
            for (r, id) in reports.into_iter().chain(more_r) {
                if out.reports.len() < SEARCH_LIMIT
                    && report_visible(self, &r)?
                    && !out.reports.iter().any(|h| h.report == r)
                {
                    let cases = self.store.read()?.cases_of_report(&r)?.into_iter().filter(&may_see).collect();
                    out.reports.push(ReportHit { report: r, matched: format!("identifier {id}"), cases });
                }
            }
            for e in exhibits.into_iter().chain(more_e) {
                let case = self.exhibit(&e.exhibit)?.case_id;
                if out.chats.len() < SEARCH_LIMIT && may_see(&case) {
                    out.chats.push(ChatHit {
                        exhibit: e.exhibit,
                        case,
                        identifier: e.identifier,
                        first_source: e.source,
                    });
                }
            }
        }
        // A report reference.
        if let Ok(r) = ExhibitRef::parse(&q.to_uppercase()) {
            if self.store.read()?.report(&r)?.is_some()
                && report_visible(self, &r)?
                && !out.reports.iter().any(|h| h.report == r)
            {
                let cases = self.store.read()?.cases_of_report(&r)?.into_iter().filter(&may_see).collect();
                out.reports.insert(0, ReportHit { report: r, matched: "reference".into(), cases });
            }
        }
        // A case ID, then titles and the names of persons on cases, from
        // the search index: each word of the query starts a word there.
        if let Ok(id) = CaseId::parse(&q.to_uppercase()) {
            if may_see(&id) {
                if let Some(title) = self.store.read()?.case_title(&id)? {
                    out.cases.push(CaseHit { case: id, title, matched: "case ID".into() });
                }
            }
        }
        let words = search_words(q);
        let terms = self.store.read()?.case_terms_matching(&words, member, (SEARCH_LIMIT * 4) as u32)?;
        for (case, kind, term) in terms {
            if out.cases.len() >= SEARCH_LIMIT {
                break;
            }
            if out.cases.iter().any(|h| h.case == case) {
                continue;
            }
            let matched = if kind == "person" { format!("person {term}") } else { "title".to_owned() };
            let title = if kind == "title" { term } else { self.store.read()?.case_title(&case)?.unwrap_or_default() };
            out.cases.push(CaseHit { case, title, matched });
        }
        let mut ev = CustodyEvent::new(EventKind::Searched, actor, self.now(), ObjectRef::log());
        ev.note = Some(format!(
            "{} ({}) searched for {:?}: {} report(s), {} case(s), {} chat export(s) shown",
            officer.username,
            officer.role,
            q,
            out.reports.len(),
            out.cases.len(),
            out.chats.len()
        ));
        self.append_events(&[ev])?;
        Ok(out)
    }
}

/// The words of a query as the index holds them: runs of letters and
/// digits, lower-cased. Anything else separates words, so nothing a user
/// types reaches the index as syntax.
pub(crate) fn search_words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_and_digits_only() {
        assert_eq!(search_words("Synthetic  Person-A"), vec!["synthetic", "person", "a"]);
        assert_eq!(search_words("\"* OR x'--"), vec!["or", "x"]);
        assert!(search_words("--").is_empty());
    }
}
