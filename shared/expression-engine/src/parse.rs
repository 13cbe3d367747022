//! Tokens, the syntax tree and the parser (recursive descent, Python's precedence).

use regex::Regex;
use rust_decimal::Decimal;

use crate::Placeholder;
use crate::error::ExpressionError;
use crate::limits;
use crate::value::parse_number;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Number(String),
    Text(String),
    Name(String),
    SchemaId(String),
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Assign,
    Plus,
    Minus,
    Star,
    Slash,
    SlashSlash,
    Percent,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    End,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    /// 1-based character position.
    at: usize,
}

fn lex(text: &str) -> Result<Vec<Token>, ExpressionError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let after_brace = matches!(
            tokens.last(),
            Some(Token {
                tok: Tok::LBrace,
                ..
            })
        );
        let is_id_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.';
        let tok = if after_brace && is_id_char(c) {
            // A schema id may hold characters a name may not (`-`, `.`, a leading digit).
            let start = i;
            while i < chars.len() && is_id_char(chars[i]) {
                i += 1;
            }
            Tok::SchemaId(chars[start..i].iter().collect())
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            Tok::Number(chars[start..i].iter().collect())
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            Tok::Name(chars[start..i].iter().collect())
        } else if c == '"' || c == '\'' {
            let mut text = String::new();
            i += 1;
            loop {
                let Some(&ch) = chars.get(i) else {
                    return Err(ExpressionError::new(
                        "string literal is not closed",
                        Some(at),
                    ));
                };
                i += 1;
                if ch == c {
                    break;
                }
                if ch == '\\' {
                    // Python's escapes; an unknown one keeps its backslash (`"\d"` is `\d`).
                    match chars.get(i) {
                        Some(&e) if e == c || e == '\\' => text.push(e),
                        Some('n') => text.push('\n'),
                        Some('t') => text.push('\t'),
                        Some('r') => text.push('\r'),
                        Some(&e) => {
                            text.push('\\');
                            text.push(e);
                        }
                        None => {
                            return Err(ExpressionError::new(
                                "string literal is not closed",
                                Some(at),
                            ));
                        }
                    }
                    i += 1;
                } else {
                    text.push(ch);
                }
                if text.len() > limits::STRING_LITERAL_BYTES {
                    return Err(ExpressionError::limit(
                        limits::STRING_LITERAL_BYTES_NAME,
                        format!("{} bytes", limits::STRING_LITERAL_BYTES),
                        Some(at),
                    ));
                }
            }
            Tok::Text(text)
        } else {
            let next = chars.get(i + 1).copied();
            let (tok, width) = match (c, next) {
                ('/', Some('/')) => (Tok::SlashSlash, 2),
                ('=', Some('=')) => (Tok::Eq, 2),
                ('!', Some('=')) => (Tok::Ne, 2),
                ('<', Some('=')) => (Tok::Le, 2),
                ('>', Some('=')) => (Tok::Ge, 2),
                ('{', _) => (Tok::LBrace, 1),
                ('}', _) => (Tok::RBrace, 1),
                ('(', _) => (Tok::LParen, 1),
                (')', _) => (Tok::RParen, 1),
                ('[', _) => (Tok::LBracket, 1),
                (']', _) => (Tok::RBracket, 1),
                (',', _) => (Tok::Comma, 1),
                ('=', _) => (Tok::Assign, 1),
                ('+', _) => (Tok::Plus, 1),
                ('-', _) => (Tok::Minus, 1),
                ('*', Some('*')) => {
                    return Err(ExpressionError::new(
                        "operator '**' is not supported",
                        Some(at),
                    ));
                }
                ('*', _) => (Tok::Star, 1),
                ('/', _) => (Tok::Slash, 1),
                ('%', _) => (Tok::Percent, 1),
                ('<', _) => (Tok::Lt, 1),
                ('>', _) => (Tok::Gt, 1),
                _ => {
                    return Err(ExpressionError::new(
                        format!("unexpected character {c:?}"),
                        Some(at),
                    ));
                }
            };
            i += width;
            tok
        };
        tokens.push(Token { tok, at });
    }
    tokens.push(Token {
        tok: Tok::End,
        at: chars.len() + 1,
    });
    Ok(tokens)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compare {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Logic {
    And,
    Or,
    Xor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Func {
    HasValue,
    IsEmpty,
    All,
    Any,
    Sum,
    Min,
    Max,
    Len,
    UniqueLen,
    FirstValue,
    Filter,
    ListContains,
    Today,
    Timedelta,
    Substring,
    Regexp,
    Similarity,
    Value,
    Int,
    Float,
    Date,
    Str,
}

impl Func {
    fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "has_value" => Func::HasValue,
            "is_empty" => Func::IsEmpty,
            "all" => Func::All,
            "any" => Func::Any,
            "sum" => Func::Sum,
            "min" => Func::Min,
            "max" => Func::Max,
            "len" => Func::Len,
            "unique_len" => Func::UniqueLen,
            "first_value" => Func::FirstValue,
            "filter" => Func::Filter,
            "list_contains" => Func::ListContains,
            "today" => Func::Today,
            "timedelta" => Func::Timedelta,
            "substring" => Func::Substring,
            "regexp" => Func::Regexp,
            "similarity" => Func::Similarity,
            "value" => Func::Value,
            "int" => Func::Int,
            "float" => Func::Float,
            "date" => Func::Date,
            "str" => Func::Str,
            _ => return None,
        })
    }

    /// Functions whose first argument is a column (its placeholders are `in_aggregate`).
    pub(crate) fn is_aggregate(self) -> bool {
        matches!(
            self,
            Func::All
                | Func::Any
                | Func::Sum
                | Func::Min
                | Func::Max
                | Func::Len
                | Func::UniqueLen
                | Func::FirstValue
                | Func::Filter
                | Func::ListContains
        )
    }

    /// (fewest, most) positional arguments and the keywords accepted.
    fn signature(self) -> (usize, usize, &'static [&'static str]) {
        match self {
            Func::Today => (0, 0, &[]),
            Func::Timedelta => (0, 0, &["years", "months", "weeks", "days"]),
            Func::Min | Func::Max => (1, usize::MAX, &[]),
            Func::Filter => (1, 2, &[]),
            Func::ListContains | Func::Substring | Func::Similarity => (2, 2, &[]),
            Func::Regexp => (2, 2, &["ignore_case"]),
            Func::Value => (1, 1, &["default"]),
            _ => (1, 1, &[]),
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Kind {
    None,
    Bool(bool),
    Number(Decimal),
    Text(String),
    List(Vec<Node>),
    Placeholder {
        index: usize,
        default: Option<Box<Node>>,
    },
    Negate(Box<Node>),
    Not(Box<Node>),
    Arith(Arith, Box<Node>, Box<Node>),
    Logic(Logic, Box<Node>, Box<Node>),
    /// `a < b <= c` as Python chains it.
    Compare(Box<Node>, Vec<(Compare, Node)>),
    Call(Box<Call>),
}

#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub func: Func,
    pub args: Vec<Node>,
    pub keywords: Vec<(String, Node)>,
    /// Placeholders of the first argument that are not inside a nested aggregate: what an
    /// aggregate binds to one row at a time when its argument is not a bare column.
    pub row_placeholders: Vec<usize>,
    /// Those of them without `default=` and outside `has_value`/`is_empty`: an empty one
    /// drops the row.
    pub row_plain: Vec<usize>,
    /// `regexp` with a literal pattern (and literal `ignore_case`), compiled once.
    pub regex: Option<Regex>,
}

impl Call {
    pub(crate) fn keyword(&self, name: &str) -> Option<&Node> {
        self.keywords
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub kind: Kind,
    /// 1-based character position of the node's first token.
    pub at: usize,
    depth: usize,
}

pub(crate) struct Parsed {
    pub root: Node,
    pub placeholders: Vec<Placeholder>,
    /// Placeholders outside every aggregate, without `default=`, outside `has_value`/`is_empty`
    /// and outside any default: an empty one skips the whole evaluation.
    pub plain: Vec<usize>,
}

pub(crate) fn parse(text: &str) -> Result<Parsed, ExpressionError> {
    if text.len() > limits::TEXT_BYTES {
        return Err(ExpressionError::limit(
            limits::TEXT_BYTES_NAME,
            format!("{} bytes", limits::TEXT_BYTES),
            None,
        ));
    }
    let mut parser = Parser {
        tokens: lex(text)?,
        next: 0,
        nesting: 0,
        placeholders: Vec::new(),
        plain: Vec::new(),
        aggregates: 0,
        emptiness_tests: 0,
        defaults: 0,
        row_frames: Vec::new(),
    };
    if parser.peek() == &Tok::End {
        return Err(ExpressionError::new("the expression is empty", Some(1)));
    }
    let root = parser.expression()?;
    let end = parser.advance();
    if end.tok != Tok::End {
        return Err(ExpressionError::new(
            format!("unexpected {} after the expression", describe(&end.tok)),
            Some(end.at),
        ));
    }
    Ok(Parsed {
        root,
        placeholders: parser.placeholders,
        plain: parser.plain,
    })
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Number(n) => format!("number {n}"),
        Tok::Text(t) => format!("string {t:?}"),
        Tok::Name(n) | Tok::SchemaId(n) => format!("name '{n}'"),
        Tok::End => "end of the expression".to_string(),
        other => {
            let symbol = match other {
                Tok::LBrace => "{",
                Tok::RBrace => "}",
                Tok::LParen => "(",
                Tok::RParen => ")",
                Tok::LBracket => "[",
                Tok::RBracket => "]",
                Tok::Comma => ",",
                Tok::Assign => "=",
                Tok::Plus => "+",
                Tok::Minus => "-",
                Tok::Star => "*",
                Tok::Slash => "/",
                Tok::SlashSlash => "//",
                Tok::Percent => "%",
                Tok::Eq => "==",
                Tok::Ne => "!=",
                Tok::Lt => "<",
                Tok::Gt => ">",
                Tok::Le => "<=",
                _ => ">=",
            };
            format!("'{symbol}'")
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    next: usize,
    /// Parser recursion, bounded like the tree's depth.
    nesting: usize,
    placeholders: Vec<Placeholder>,
    plain: Vec<usize>,
    aggregates: usize,
    emptiness_tests: usize,
    defaults: usize,
    /// One frame per enclosing aggregate argument: `Some` collects the row placeholders of a
    /// first argument, `None` stands for any other argument.
    row_frames: Vec<Option<(Vec<usize>, Vec<usize>)>>,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.next].tok
    }

    fn at(&self) -> usize {
        self.tokens[self.next].at
    }

    fn advance(&mut self) -> Token {
        let token = self.tokens[self.next].clone();
        if token.tok != Tok::End {
            self.next += 1;
        }
        token
    }

    fn expect(&mut self, tok: Tok) -> Result<Token, ExpressionError> {
        let token = self.advance();
        if token.tok == tok {
            Ok(token)
        } else {
            Err(ExpressionError::new(
                format!(
                    "expected {}, found {}",
                    describe(&tok),
                    describe(&token.tok)
                ),
                Some(token.at),
            ))
        }
    }

    /// A node above children whose deepest is `child_depth` deep.
    fn node(&self, kind: Kind, at: usize, child_depth: usize) -> Result<Node, ExpressionError> {
        let depth = 1 + child_depth;
        if depth > limits::DEPTH {
            return Err(ExpressionError::limit(
                limits::DEPTH_NAME,
                limits::DEPTH,
                Some(at),
            ));
        }
        Ok(Node { kind, at, depth })
    }

    fn enter(&mut self) -> Result<(), ExpressionError> {
        self.nesting += 1;
        if self.nesting > limits::DEPTH {
            return Err(ExpressionError::limit(
                limits::DEPTH_NAME,
                limits::DEPTH,
                Some(self.at()),
            ));
        }
        Ok(())
    }

    fn expression(&mut self) -> Result<Node, ExpressionError> {
        self.enter()?;
        let node = self.logic(0);
        self.nesting -= 1;
        node
    }

    /// `or` (loosest), then `xor`, then `and`.
    fn logic(&mut self, level: usize) -> Result<Node, ExpressionError> {
        const LEVELS: [(&str, Logic); 3] =
            [("or", Logic::Or), ("xor", Logic::Xor), ("and", Logic::And)];
        let operand = |p: &mut Parser| {
            if level + 1 < LEVELS.len() {
                p.logic(level + 1)
            } else {
                p.not()
            }
        };
        let mut left = operand(self)?;
        let (word, op) = LEVELS[level];
        while matches!(self.peek(), Tok::Name(n) if n == word) {
            let at = self.advance().at;
            let right = operand(self)?;
            let depth = left.depth.max(right.depth);
            left = self.node(Kind::Logic(op, Box::new(left), Box::new(right)), at, depth)?;
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Node, ExpressionError> {
        if matches!(self.peek(), Tok::Name(n) if n == "not") {
            let at = self.advance().at;
            self.enter()?;
            let operand = self.not()?;
            self.nesting -= 1;
            let depth = operand.depth;
            return self.node(Kind::Not(Box::new(operand)), at, depth);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Node, ExpressionError> {
        let first = self.additive()?;
        let mut rest = Vec::new();
        let at = self.at();
        loop {
            let op = match self.peek() {
                Tok::Eq => Compare::Eq,
                Tok::Ne => Compare::Ne,
                Tok::Lt => Compare::Lt,
                Tok::Gt => Compare::Gt,
                Tok::Le => Compare::Le,
                Tok::Ge => Compare::Ge,
                Tok::Name(n) if n == "in" || n == "is" => {
                    return Err(ExpressionError::new(
                        format!(
                            "operator '{n}' is not supported (use list_contains, is_empty or ==)"
                        ),
                        Some(self.at()),
                    ));
                }
                _ => break,
            };
            self.advance();
            rest.push((op, self.additive()?));
        }
        if rest.is_empty() {
            return Ok(first);
        }
        let depth = rest
            .iter()
            .map(|(_, n)| n.depth)
            .fold(first.depth, usize::max);
        self.node(Kind::Compare(Box::new(first), rest), at, depth)
    }

    fn additive(&mut self) -> Result<Node, ExpressionError> {
        let mut left = self.term()?;
        loop {
            let op = match self.peek() {
                Tok::Plus => Arith::Add,
                Tok::Minus => Arith::Sub,
                _ => return Ok(left),
            };
            let at = self.advance().at;
            let right = self.term()?;
            let depth = left.depth.max(right.depth);
            left = self.node(Kind::Arith(op, Box::new(left), Box::new(right)), at, depth)?;
        }
    }

    fn term(&mut self) -> Result<Node, ExpressionError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Star => Arith::Mul,
                Tok::Slash => Arith::Div,
                Tok::SlashSlash => Arith::FloorDiv,
                Tok::Percent => Arith::Mod,
                _ => return Ok(left),
            };
            let at = self.advance().at;
            let right = self.unary()?;
            let depth = left.depth.max(right.depth);
            left = self.node(Kind::Arith(op, Box::new(left), Box::new(right)), at, depth)?;
        }
    }

    fn unary(&mut self) -> Result<Node, ExpressionError> {
        match self.peek() {
            Tok::Minus | Tok::Plus => {
                let token = self.advance();
                self.enter()?;
                let operand = self.unary()?;
                self.nesting -= 1;
                if token.tok == Tok::Plus {
                    return Ok(operand);
                }
                let depth = operand.depth;
                self.node(Kind::Negate(Box::new(operand)), token.at, depth)
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Node, ExpressionError> {
        let token = self.advance();
        let at = token.at;
        match token.tok {
            Tok::Number(text) => {
                let significant = text
                    .trim_start_matches(['0', '.'])
                    .bytes()
                    .filter(u8::is_ascii_digit)
                    .count();
                match parse_number(&text) {
                    Some(Some(n)) if significant <= limits::NUMBER_DIGITS => {
                        self.node(Kind::Number(n), at, 0)
                    }
                    Some(_) => Err(ExpressionError::limit(
                        limits::NUMBER_DIGITS_NAME,
                        format!("{} significant digits", limits::NUMBER_DIGITS),
                        Some(at),
                    )),
                    None => Err(ExpressionError::new(
                        format!("malformed number {text}"),
                        Some(at),
                    )),
                }
            }
            Tok::Text(text) => self.node(Kind::Text(text), at, 0),
            Tok::Name(name) => match name.as_str() {
                "None" => self.node(Kind::None, at, 0),
                "True" => self.node(Kind::Bool(true), at, 0),
                "False" => self.node(Kind::Bool(false), at, 0),
                _ if self.peek() == &Tok::LParen => self.call(name, at),
                _ => Err(ExpressionError::new(
                    format!("unknown name '{name}' (a field is written {{{name}}})"),
                    Some(at),
                )),
            },
            Tok::LParen => {
                let inner = self.expression()?;
                self.expect(Tok::RParen)?;
                Ok(inner)
            }
            Tok::LBracket => {
                self.enter()?;
                let mut items = Vec::new();
                while self.peek() != &Tok::RBracket {
                    if items.len() == limits::LIST_LITERAL_ITEMS {
                        return Err(ExpressionError::limit(
                            limits::LIST_LITERAL_ITEMS_NAME,
                            format!("{} items", limits::LIST_LITERAL_ITEMS),
                            Some(at),
                        ));
                    }
                    items.push(self.expression()?);
                    if self.peek() != &Tok::Comma {
                        break;
                    }
                    self.advance();
                }
                self.expect(Tok::RBracket)?;
                self.nesting -= 1;
                let depth = items.iter().map(|n| n.depth).max().unwrap_or(0);
                self.node(Kind::List(items), at, depth)
            }
            Tok::LBrace => self.placeholder(at),
            other => Err(ExpressionError::new(
                format!("unexpected {}", describe(&other)),
                Some(at),
            )),
        }
    }

    /// Registers one occurrence of a schema id.
    fn register(&mut self, schema_id: String, has_default: bool) -> usize {
        let index = self.placeholders.len();
        self.placeholders.push(Placeholder {
            schema_id,
            in_aggregate: self.aggregates > 0,
            has_default,
        });
        let plain = !has_default && self.emptiness_tests == 0 && self.defaults == 0;
        if self.aggregates == 0 && plain {
            self.plain.push(index);
        }
        if let Some(Some((all, plain_rows))) = self.row_frames.last_mut() {
            all.push(index);
            if plain {
                plain_rows.push(index);
            }
        }
        index
    }

    /// `{schema_id}` or `{schema_id, default=X}`; the `{` is consumed.
    fn placeholder(&mut self, at: usize) -> Result<Node, ExpressionError> {
        let id = self.advance();
        let Tok::SchemaId(schema_id) = id.tok else {
            return Err(ExpressionError::new(
                format!(
                    "expected a schema id after '{{', found {}",
                    describe(&id.tok)
                ),
                Some(id.at),
            ));
        };
        // Registered before its default is parsed, so that occurrences stay in text order.
        let has_default = self.peek() == &Tok::Comma;
        let index = self.register(schema_id.clone(), has_default);
        let mut default = None;
        if has_default {
            self.advance();
            let keyword = self.advance();
            if !matches!(&keyword.tok, Tok::Name(n) if n == "default") {
                return Err(ExpressionError::new(
                    format!(
                        "expected default= in {{{schema_id}, ...}}, found {}",
                        describe(&keyword.tok)
                    ),
                    Some(keyword.at),
                ));
            }
            self.expect(Tok::Assign)?;
            if self.peek() == &Tok::LBrace {
                return Err(ExpressionError::new(
                    format!(
                        "a field cannot be the default here: write {{{schema_id}, default=value('other_field')}}"
                    ),
                    Some(self.at()),
                ));
            }
            self.defaults += 1;
            let value = self.expression();
            self.defaults -= 1;
            default = Some(Box::new(value?));
        }
        self.expect(Tok::RBrace)?;
        let depth = default.as_ref().map_or(0, |d| d.depth);
        self.node(Kind::Placeholder { index, default }, at, depth)
    }

    fn call(&mut self, name: String, at: usize) -> Result<Node, ExpressionError> {
        let Some(func) = Func::from_name(&name) else {
            return Err(ExpressionError::new(
                format!("unknown function '{name}'"),
                Some(at),
            ));
        };
        self.expect(Tok::LParen)?;
        self.enter()?;
        let (fewest, most, keywords_allowed) = func.signature();
        let mut args = Vec::new();
        let mut keywords: Vec<(String, Node)> = Vec::new();
        let mut rows = None;
        let emptiness = matches!(func, Func::HasValue | Func::IsEmpty);
        if emptiness {
            self.emptiness_tests += 1;
        }
        while self.peek() != &Tok::RParen {
            let arg_at = self.at();
            let is_keyword = matches!(self.peek(), Tok::Name(_))
                && self
                    .tokens
                    .get(self.next + 1)
                    .is_some_and(|t| t.tok == Tok::Assign);
            if is_keyword {
                let Tok::Name(keyword) = self.advance().tok else {
                    unreachable!()
                };
                self.advance();
                if !keywords_allowed.contains(&keyword.as_str()) {
                    return Err(ExpressionError::new(
                        format!("{name}() has no argument '{keyword}'"),
                        Some(arg_at),
                    ));
                }
                if keywords.iter().any(|(k, _)| *k == keyword) {
                    return Err(ExpressionError::new(
                        format!("{name}() got '{keyword}' twice"),
                        Some(arg_at),
                    ));
                }
                let is_default = keyword == "default";
                self.defaults += usize::from(is_default);
                let value = self.expression();
                self.defaults -= usize::from(is_default);
                keywords.push((keyword, value?));
            } else {
                if !keywords.is_empty() {
                    return Err(ExpressionError::new(
                        "a positional argument after a keyword argument",
                        Some(arg_at),
                    ));
                }
                if args.len() == most {
                    return Err(ExpressionError::new(
                        format!("{name}() takes at most {most} argument(s)"),
                        Some(arg_at),
                    ));
                }
                let aggregate = func.is_aggregate();
                if aggregate {
                    self.aggregates += 1;
                    self.row_frames
                        .push((args.is_empty()).then(|| (Vec::new(), Vec::new())));
                }
                let arg = if func == Func::Value && args.is_empty() {
                    self.value_reference()
                } else {
                    self.expression()
                };
                if aggregate {
                    self.aggregates -= 1;
                    if let Some(frame) = self.row_frames.pop().flatten() {
                        rows = Some(frame);
                    }
                }
                args.push(arg?);
            }
            if self.peek() != &Tok::Comma {
                break;
            }
            self.advance();
        }
        if emptiness {
            self.emptiness_tests -= 1;
        }
        self.expect(Tok::RParen)?;
        self.nesting -= 1;
        if args.len() < fewest {
            return Err(ExpressionError::new(
                format!("{name}() needs {fewest} argument(s)"),
                Some(at),
            ));
        }
        if func == Func::Value {
            // value({a}, default=...) registered {a} before its default was known.
            if let (Kind::Placeholder { index, .. }, true) =
                (&args[0].kind, keywords.iter().any(|(k, _)| k == "default"))
            {
                self.placeholders[*index].has_default = true;
                self.plain.retain(|p| p != index);
                if let Some(Some((_, plain_rows))) = self.row_frames.last_mut() {
                    plain_rows.retain(|p| p != index);
                }
            }
        }
        let regex = if func == Func::Regexp {
            compile_literal_regex(
                &args[0],
                keywords
                    .iter()
                    .find(|(k, _)| k == "ignore_case")
                    .map(|(_, v)| v),
            )?
        } else {
            None
        };
        let (row_placeholders, row_plain) = rows.unwrap_or_default();
        let depth = args
            .iter()
            .chain(keywords.iter().map(|(_, v)| v))
            .map(|n| n.depth)
            .max()
            .unwrap_or(0);
        let call = Call {
            func,
            args,
            keywords,
            row_placeholders,
            row_plain,
            regex,
        };
        self.node(Kind::Call(Box::new(call)), at, depth)
    }

    /// The first argument of `value()`: `{field}` or a string naming the field.
    fn value_reference(&mut self) -> Result<Node, ExpressionError> {
        let at = self.at();
        match self.peek().clone() {
            Tok::LBrace => {
                self.advance();
                self.placeholder(at)
            }
            Tok::Text(schema_id) => {
                self.advance();
                let index = self.register(schema_id, false);
                self.node(
                    Kind::Placeholder {
                        index,
                        default: None,
                    },
                    at,
                    0,
                )
            }
            other => Err(ExpressionError::new(
                format!(
                    "value() reads a field: {{field}} or 'field', found {}",
                    describe(&other)
                ),
                Some(at),
            )),
        }
    }
}

fn compile_literal_regex(
    pattern: &Node,
    ignore_case: Option<&Node>,
) -> Result<Option<Regex>, ExpressionError> {
    let Kind::Text(text) = &pattern.kind else {
        return Ok(None);
    };
    let ignore_case = match ignore_case.map(|n| &n.kind) {
        None | Some(Kind::Bool(false)) => false,
        Some(Kind::Bool(true)) => true,
        Some(_) => return Ok(None),
    };
    compile_regex(text, ignore_case, pattern.at).map(Some)
}

pub(crate) fn compile_regex(
    pattern: &str,
    ignore_case: bool,
    at: usize,
) -> Result<Regex, ExpressionError> {
    // Refused here rather than left to the regex crate, whose answer depends on which of its
    // Unicode tables the build links: Python's `re` has no property classes.
    let mut escaped_backslash = false;
    for after in pattern.split('\\').skip(1) {
        if !escaped_backslash && (after.starts_with('p') || after.starts_with('P')) {
            return Err(ExpressionError::new(
                "regexp pattern is not supported: Unicode property classes (\\p{..}, \\P{..}) \
                 are not in Python's re",
                Some(at),
            ));
        }
        // `\\` splits into an empty piece: the backslash after it is a literal one.
        escaped_backslash = after.is_empty() && !escaped_backslash;
    }
    regex::RegexBuilder::new(pattern)
        .case_insensitive(ignore_case)
        .size_limit(limits::REGEX_BYTES)
        .dfa_size_limit(limits::REGEX_BYTES)
        .nest_limit(limits::DEPTH as u32)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => ExpressionError::limit(
                limits::REGEX_BYTES_NAME,
                format!("{} bytes", limits::REGEX_BYTES),
                Some(at),
            ),
            other => ExpressionError::new(
                format!(
                    "regexp pattern is not supported: {}",
                    other.to_string().lines().last().unwrap_or_default()
                ),
                Some(at),
            ),
        })
}
