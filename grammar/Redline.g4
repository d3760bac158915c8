// grammar/Redline.g4 — the grammar of `.pol` files (spec/LANGUAGE.md, version 0).
// A combined grammar: cmake/Antlr.cmake generates a C++ lexer, parser and
// visitor into namespace redline::grammar at build time. engine/parse turns
// the parse tree into ast::Module and owns every error message; nothing here
// is shown to users.
//
// Keywords are reserved only where the grammar needs them: `ident` accepts
// every keyword except `true` and `false`, so purposes, tags and roles may be
// named `all`, `test` or `owner`. The lexer never fails: unterminated strings
// and comments and stray characters have tokens of their own, which the
// parser driver reports before parsing.
grammar Redline;

// ---------------------------------------------------------------- files

file_ : item* EOF ;

item : importDecl | policyDecl | purposesBlock | contextBlock ;

importDecl : KW_IMPORT STRING ;

// ---------------------------------------------------------------- policies

policyDecl : KW_POLICY STRING policyHeader* LBRACE member* RBRACE ;

policyHeader : KW_VERSION STRING | KW_EXTENDS STRING ;

member
  : KW_OWNER STRING
  | KW_DESCRIPTION STRING
  | KW_EFFECTIVE STRING
  | KW_LIMITS STRING
  | KW_DEFAULT (KW_ALLOW | KW_DENY)
  | purposesBlock
  | contextBlock
  | ruleDecl
  | escalationDecl
  | killSwitchDecl
  | assertDecl
  | testDecl
  ;

// ---------------------------------------------------------------- purposes

purposesBlock : KW_PURPOSES LBRACE purposeNode* RBRACE ;

purposeNode : ident STRING? purposeChildren? ;

purposeChildren : LBRACE purposeNode* RBRACE ;

// ---------------------------------------------------------------- context schema

contextBlock : KW_CONTEXT LBRACE attributeDecl* RBRACE ;

attributeDecl : path COLON typeSpec ;

typeSpec
  : KW_BOOL
  | KW_INT
  | KW_STRING
  | KW_DURATION
  | KW_ENUM LBRACE identList? RBRACE
  | KW_LEVEL LBRACE levelList? RBRACE
  | KW_TAGS LBRACE identList? RBRACE
  ;

identList : ident (COMMA ident)* ;

levelList : ident (LT ident)* ;

// ---------------------------------------------------------------- rules

ruleDecl : KW_RULE ident COLON effect targets clause* SEMI ;

effect : KW_PERMIT | KW_PROHIBIT | KW_REQUIRE KW_APPROVAL | KW_ESCALATE ;

targets : pattern (COMMA pattern)* ;

pattern : STAR | path (DOT STAR)? ;

path : ident (DOT ident)* ;

clause
  : KW_WHEN expr
  | KW_UNLESS expr
  | KW_BY identList
  | KW_QUORUM INTEGER
  | KW_WITHIN DURATION
  | KW_TO ident
  | KW_SIGNED
  | KW_HUMAN
  | KW_OBLIGE obligationList
  | KW_BECAUSE STRING
  | KW_CITE citation
  | KW_OWNER STRING
  | KW_RED_LINE
  | KW_ACKNOWLEDGE identList      // warning codes the authors accept on purpose: `acknowledge RL4004`
  ;

// `cite "Usage Policy §2.1" version "2026.03" quote "The customer shall not …"`
citation : STRING citeVersion? citeQuote? ;

citeVersion : KW_VERSION STRING ;

citeQuote : KW_QUOTE STRING ;

obligationList : obligation (COMMA obligation)* ;

obligation : ident (LPAREN obligationArg (COMMA obligationArg)* RPAREN)? ;

obligationArg : ident | STRING ;

// ---------------------------------------------------------------- escalation paths, kill switches

escalationDecl : KW_ESCALATION ident STRING? LBRACE step* onTimeout? RBRACE ;

step : KW_STEP ident stepClause* ;

stepClause : KW_QUORUM INTEGER | KW_WITHIN DURATION ;

onTimeout : KW_ON_TIMEOUT (KW_DENY | KW_ESCALATE KW_TO ident) ;

killSwitchDecl : KW_KILL_SWITCH ident KW_COVERS targets killSwitchClause* SEMI ;

killSwitchClause : KW_OWNER identList | KW_BECAUSE STRING ;

// ---------------------------------------------------------------- assertions and tests

assertDecl : KW_ASSERT targets (KW_WHEN expr)? KW_IS (KW_AT KW_LEAST)? outcome SEMI ;

outcome : KW_ALLOW | KW_REQUIRE_APPROVAL | KW_ESCALATE | KW_DENY ;

testDecl : KW_TEST STRING LBRACE KW_GIVEN jsonObject KW_EXPECT (outcome | expectError) (KW_OBLIGING obligationList)? RBRACE ;

// `expect error RL5003`: the request must be refused with this error code.
expectError : ID ID ;

jsonObject : LBRACE (jsonMember (COMMA jsonMember)*)? RBRACE ;

jsonMember : STRING COLON jsonValue ;

jsonArray : LBRACK (jsonValue (COMMA jsonValue)*)? RBRACK ;

jsonValue : jsonObject | jsonArray | STRING | INTEGER | NUMBER | KW_TRUE | KW_FALSE | KW_NULL ;

// ---------------------------------------------------------------- conditions
// Precedence: `not` > `and` > `or` (earlier alternatives bind tighter).

expr
  : KW_NOT expr          # notExpr
  | expr KW_AND expr     # andExpr
  | expr KW_OR expr      # orExpr
  | primary              # primaryExpr
  ;

primary
  : LPAREN expr RPAREN                                      # parenExpr
  | (KW_TRUE | KW_FALSE)                                    # constExpr
  | path cmpOp value                                        # compareExpr
  | path KW_IN LBRACK valueList RBRACK                      # inExpr
  | path KW_NOT KW_IN LBRACK valueList RBRACK               # notInExpr
  | path KW_HAS (KW_ANY | KW_ALL) LBRACK valueList RBRACK   # hasSetExpr
  | path KW_HAS value                                       # hasExpr
  | path KW_IS (KW_PRESENT | KW_MISSING)                    # isExpr
  ;

cmpOp : EQ | NE | LT | LE | GT | GE ;

valueList : value (COMMA value)* ;

value : ident | STRING | INTEGER | DURATION | KW_TRUE | KW_FALSE ;

// Every keyword but `true` and `false` may name a purpose, tag, role or path part.
ident
  : ID
  | KW_IMPORT | KW_POLICY | KW_VERSION | KW_EXTENDS | KW_OWNER | KW_DESCRIPTION | KW_EFFECTIVE
  | KW_DEFAULT | KW_ALLOW | KW_DENY | KW_PURPOSES | KW_CONTEXT
  | KW_BOOL | KW_INT | KW_STRING | KW_DURATION | KW_ENUM | KW_LEVEL | KW_TAGS
  | KW_RULE | KW_PERMIT | KW_PROHIBIT | KW_REQUIRE | KW_APPROVAL | KW_ESCALATE
  | KW_WHEN | KW_UNLESS | KW_BY | KW_QUORUM | KW_WITHIN | KW_TO | KW_SIGNED | KW_HUMAN | KW_OBLIGE | KW_BECAUSE | KW_CITE
  | KW_LIMITS | KW_RED_LINE | KW_QUOTE | KW_ACKNOWLEDGE
  | KW_ESCALATION | KW_STEP | KW_ON_TIMEOUT | KW_KILL_SWITCH | KW_COVERS
  | KW_ASSERT | KW_IS | KW_AT | KW_LEAST | KW_REQUIRE_APPROVAL
  | KW_TEST | KW_GIVEN | KW_EXPECT | KW_OBLIGING
  | KW_NOT | KW_AND | KW_OR | KW_IN | KW_HAS | KW_ANY | KW_ALL | KW_PRESENT | KW_MISSING | KW_NULL
  ;

// ---------------------------------------------------------------- lexer

KW_IMPORT : 'import' ;
KW_POLICY : 'policy' ;
KW_VERSION : 'version' ;
KW_EXTENDS : 'extends' ;
KW_OWNER : 'owner' ;
KW_DESCRIPTION : 'description' ;
KW_EFFECTIVE : 'effective' ;
KW_DEFAULT : 'default' ;
KW_ALLOW : 'allow' ;
KW_DENY : 'deny' ;
KW_PURPOSES : 'purposes' ;
KW_CONTEXT : 'context' ;
KW_BOOL : 'bool' ;
KW_INT : 'int' ;
KW_STRING : 'string' ;
KW_DURATION : 'duration' ;
KW_ENUM : 'enum' ;
KW_LEVEL : 'level' ;
KW_TAGS : 'tags' ;
KW_RULE : 'rule' ;
KW_PERMIT : 'permit' ;
KW_PROHIBIT : 'prohibit' ;
KW_REQUIRE : 'require' ;
KW_APPROVAL : 'approval' ;
KW_ESCALATE : 'escalate' ;
KW_WHEN : 'when' ;
KW_UNLESS : 'unless' ;
KW_BY : 'by' ;
KW_QUORUM : 'quorum' ;
KW_WITHIN : 'within' ;
KW_TO : 'to' ;
KW_SIGNED : 'signed' ;
KW_HUMAN : 'human' ;
KW_OBLIGE : 'oblige' ;
KW_BECAUSE : 'because' ;
KW_CITE : 'cite' ;
KW_LIMITS : 'limits' ;
KW_RED_LINE : 'red_line' ;
KW_QUOTE : 'quote' ;
KW_ACKNOWLEDGE : 'acknowledge' ;
KW_ESCALATION : 'escalation' ;
KW_STEP : 'step' ;
KW_ON_TIMEOUT : 'on_timeout' ;
KW_KILL_SWITCH : 'kill_switch' ;
KW_COVERS : 'covers' ;
KW_ASSERT : 'assert' ;
KW_IS : 'is' ;
KW_AT : 'at' ;
KW_LEAST : 'least' ;
KW_REQUIRE_APPROVAL : 'require_approval' ;
KW_TEST : 'test' ;
KW_GIVEN : 'given' ;
KW_EXPECT : 'expect' ;
KW_OBLIGING : 'obliging' ;
KW_NOT : 'not' ;
KW_AND : 'and' ;
KW_OR : 'or' ;
KW_IN : 'in' ;
KW_HAS : 'has' ;
KW_ANY : 'any' ;
KW_ALL : 'all' ;
KW_PRESENT : 'present' ;
KW_MISSING : 'missing' ;
KW_TRUE : 'true' ;
KW_FALSE : 'false' ;
KW_NULL : 'null' ;

EQ : '==' ;
NE : '!=' ;
LE : '<=' ;
GE : '>=' ;
LT : '<' ;
GT : '>' ;
LBRACE : '{' ;
RBRACE : '}' ;
LPAREN : '(' ;
RPAREN : ')' ;
LBRACK : '[' ;
RBRACK : ']' ;
COMMA : ',' ;
COLON : ':' ;
SEMI : ';' ;
DOT : '.' ;
STAR : '*' ;

DURATION : DIGITS [smhd] ;
NUMBER : '-'? DIGITS ( '.' DIGITS EXPONENT? | EXPONENT ) ;   // JSON only
INTEGER : '-'? DIGITS ;
ID : [A-Za-z_] [A-Za-z0-9_]* ;

// Escapes are checked by engine/parse (RL1006); the lexer takes any `\x`.
STRING : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '"' ;
// Shorter than STRING by the closing quote, so it wins only when the quote is missing.
UNTERMINATED_STRING : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '\\'? ;

LINE_COMMENT : '//' ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
// Cannot contain `*/`, so it wins only when the comment is never closed.
UNTERMINATED_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* ;

WS : [ \t\r\n\f\uFEFF]+ -> skip ;

// Anything else: reported as RL1005 by engine/parse, never by ANTLR.
ERROR_CHAR : . ;

fragment DIGITS : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;
