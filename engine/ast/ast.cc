// ast/ast.cc — small helpers of ast/ast.h.
#include "ast/ast.h"

namespace redline::ast {

std::string Path::dotted() const {
  std::string s;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) s += '.';
    s += parts[i].text;
  }
  return s;
}

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::Allow: return "allow";
    case Outcome::RequireApproval: return "require_approval";
    case Outcome::Escalate: return "escalate";
    case Outcome::Deny: return "deny";
  }
  return "deny";
}

const char* to_string(Effect e) {
  switch (e) {
    case Effect::Permit: return "permit";
    case Effect::RequireApproval: return "require approval";
    case Effect::Escalate: return "escalate";
    case Effect::Prohibit: return "prohibit";
  }
  return "prohibit";
}

const char* to_string(CmpOp op) {
  switch (op) {
    case CmpOp::Eq: return "==";
    case CmpOp::Ne: return "!=";
    case CmpOp::Lt: return "<";
    case CmpOp::Le: return "<=";
    case CmpOp::Gt: return ">";
    case CmpOp::Ge: return ">=";
  }
  return "==";
}

Outcome outcome_of(Effect e) {
  switch (e) {
    case Effect::Permit: return Outcome::Allow;
    case Effect::RequireApproval: return Outcome::RequireApproval;
    case Effect::Escalate: return Outcome::Escalate;
    case Effect::Prohibit: return Outcome::Deny;
  }
  return Outcome::Deny;
}

}  // namespace redline::ast
