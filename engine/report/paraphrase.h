// report/paraphrase.h — plain-English renderings of a checked model for
// reviewers who never read policy code: identifiers as words ("us_persons" →
// "U.S. persons"), durations ("30 minutes"), conditions ("when the data is
// tagged U.S. persons and the impact level is at most IL6"), purposes, rules
// ("Never: mass domestic surveillance."), assertions and outcomes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sema/model.h"

namespace redline::report {

/// An identifier as words: underscores to spaces, known acronyms upper-cased.
std::string humanize(std::string_view identifier);

/// A duration in seconds as words ("30 minutes", "72 hours", "2 days").
std::string duration_words(std::int64_t seconds);

/// Joins items as "a", "a and b", "a, b and c" (`conj` is "and" or "or").
std::string join_words(const std::vector<std::string>& items, std::string_view conj = "and");

/// The noun phrase of an attribute ("the requester's clearance", "the impact level").
std::string attribute_phrase(const sema::Model& m, std::uint32_t attr);

/// An encoded value of an attribute, as a reviewer reads it ("IL5", "30 minutes", "“alpha”").
std::string value_words(const sema::Model& m, std::uint32_t attr, std::int64_t value);

/// A condition in words, without a leading "when".
std::string condition_words(const sema::Model& m, const sema::Cond& c);

/// A rule's `when`/`unless` in words ("when …, unless …"), or "" when it has none.
std::string rule_condition_words(const sema::Model& m, const sema::Rule& r);

/// A purpose's reviewer name: its path in words ("target engagement (weapons)").
std::string purpose_words(const sema::Model& m, std::uint32_t purpose);

/// One target pattern in words ("any purpose", "any kind of weapons").
std::string target_words(const sema::Model& m, const sema::Target& t);

/// A purpose as its description reads ("indiscriminate monitoring of a
/// country's own population"), or purpose_words when it has none.
std::string described_purpose(const sema::Model& m, std::uint32_t purpose);

/// An obligation in words ("log full", "notify (legal)").
std::string obligation_words(const sema::Obligation& o);

/// A list of targets in words, joined with "and".
std::string targets_words(const sema::Model& m, const std::vector<sema::Target>& ts);

/// A target pattern as written in the policy (`weapons.*`, `*`).
std::string target_text(const sema::Model& m, const sema::Target& t);

/// Role value indices as words ("commander or general counsel").
std::string roles_words(const sema::Model& m, const std::vector<std::uint32_t>& roles, std::string_view conj = "or");

/// The approval requirement of a `require approval` rule in words.
std::string approval_words(const sema::Model& m, const sema::Rule& r);

/// The whole rule as one plain-English sentence.
std::string rule_sentence(const sema::Model& m, const sema::Rule& r);

/// What happens when the rule applies ("allowed", "needs approval", "escalated for review", "denied").
std::string effect_words(sema::Effect e);

/// An outcome as a reviewer reads it ("allowed", "needs approval", "escalated for review", "denied").
std::string outcome_words(sema::Outcome o);

/// An outcome as a short label ("Allow", "Approval", "Escalate", "Deny").
std::string outcome_label(sema::Outcome o);

/// An assertion as a sentence ("Always denied: mass domestic surveillance.").
std::string assertion_sentence(const sema::Model& m, const sema::Assertion& a);

/// One escalation step in words ("general counsel within 24 hours (2 approvals)").
std::string step_words(const sema::Model& m, const sema::Step& s);

/// What an escalation path does on timeout, in words.
std::string timeout_words(const sema::Model& m, const sema::Escalation& e);

}  // namespace redline::report
