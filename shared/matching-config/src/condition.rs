//! `action_condition`: MDH's small Python-like boolean expression over placeholders, as in
//! `'{sender_vat_id}' != '' and '{epd_detected}' == 'true'`.
//!
//! Read once, evaluated per annotation (or row) without any text substitution, so a value
//! holding a quote cannot change the expression. Supported: string literals in `'` or `"`
//! (with placeholders inside), numbers, `True`, `False`, `None`, bare `{schema_id}`
//! placeholders (their text), `==`, `!=`, `and`, `or`, `not` and parentheses, with Python's
//! precedence and values (`and`/`or` give an operand, strings are true when not empty,
//! `'1' == 1` is false). Anything else is refused when the configuration is read.

use crate::template::Template;

/// Longest condition accepted, and deepest nesting: bounds on reading and evaluating one.
pub const MAX_CONDITION_CHARS: usize = 4096;
pub const MAX_CONDITION_DEPTH: usize = 32;

/// A parsed `action_condition`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    root: Expr,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Text(Template),
    Number(f64),
    Bool(bool),
    None,
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Equal(Box<Expr>, Box<Expr>),
    NotEqual(Box<Expr>, Box<Expr>),
}

/// A value of the expression, as Python would have it.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Str(String),
    Num(f64),
    Bool(bool),
    None,
}

impl Val {
    fn truthy(&self) -> bool {
        match self {
            Val::Str(text) => !text.is_empty(),
            Val::Num(number) => *number != 0.0,
            Val::Bool(flag) => *flag,
            Val::None => false,
        }
    }

    fn equals(&self, other: &Val) -> bool {
        let as_number = |value: &Val| match value {
            Val::Num(number) => Some(*number),
            Val::Bool(flag) => Some(f64::from(u8::from(*flag))),
            _ => None,
        };
        match (self, other) {
            (Val::Str(a), Val::Str(b)) => a == b,
            (Val::None, Val::None) => true,
            (a, b) => matches!((as_number(a), as_number(b)), (Some(x), Some(y)) if x == y),
        }
    }
}

impl Condition {
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() > MAX_CONDITION_CHARS {
            return Err(format!(
                "the condition has {} characters, more than the {MAX_CONDITION_CHARS} allowed",
                text.len()
            ));
        }
        let tokens = tokens(text)?;
        let mut parser = Parser {
            tokens: &tokens,
            at: 0,
            depth: 0,
        };
        let root = parser.or()?;
        match parser.tokens.get(parser.at) {
            None => Ok(Self { root }),
            Some(token) => Err(format!("unexpected {} in {text:?}", token.describe())),
        }
    }

    /// The schema ids the condition reads.
    pub fn schema_ids(&self) -> Vec<&str> {
        let mut ids = Vec::new();
        collect_ids(&self.root, &mut ids);
        ids
    }

    /// Whether the condition holds, each placeholder read by `value_of`; the first schema
    /// id `value_of` does not know is the error.
    pub fn holds<'v>(&self, value_of: &impl Fn(&str) -> Option<&'v str>) -> Result<bool, String> {
        Ok(eval(&self.root, value_of)?.truthy())
    }
}

fn collect_ids<'e>(expr: &'e Expr, ids: &mut Vec<&'e str>) {
    match expr {
        Expr::Text(template) => ids.extend(template.schema_ids()),
        Expr::Not(inner) => collect_ids(inner, ids),
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Equal(a, b) | Expr::NotEqual(a, b) => {
            collect_ids(a, ids);
            collect_ids(b, ids);
        }
        Expr::Number(_) | Expr::Bool(_) | Expr::None => {}
    }
}

fn eval<'v>(expr: &Expr, value_of: &impl Fn(&str) -> Option<&'v str>) -> Result<Val, String> {
    Ok(match expr {
        Expr::Text(template) => Val::Str(
            template
                .render(value_of)
                .map_err(|missing| missing.to_owned())?,
        ),
        Expr::Number(number) => Val::Num(*number),
        Expr::Bool(flag) => Val::Bool(*flag),
        Expr::None => Val::None,
        Expr::Not(inner) => Val::Bool(!eval(inner, value_of)?.truthy()),
        Expr::And(a, b) => {
            let left = eval(a, value_of)?;
            if left.truthy() {
                eval(b, value_of)?
            } else {
                left
            }
        }
        Expr::Or(a, b) => {
            let left = eval(a, value_of)?;
            if left.truthy() {
                left
            } else {
                eval(b, value_of)?
            }
        }
        Expr::Equal(a, b) => Val::Bool(eval(a, value_of)?.equals(&eval(b, value_of)?)),
        Expr::NotEqual(a, b) => Val::Bool(!eval(a, value_of)?.equals(&eval(b, value_of)?)),
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Text(Template),
    Number(f64),
    Word(String),
    Equal,
    NotEqual,
    Open,
    Close,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Text(_) => "a string".to_owned(),
            Token::Number(number) => format!("the number {number}"),
            Token::Word(word) => format!("{word:?}"),
            Token::Equal => "'=='".to_owned(),
            Token::NotEqual => "'!='".to_owned(),
            Token::Open => "'('".to_owned(),
            Token::Close => "')'".to_owned(),
        }
    }
}

/// What a condition may hold, as refusals say it.
const SUPPORTED: &str = "only strings, numbers, True, False, None, placeholders, ==, !=, and, or, not and parentheses are";

/// Moves `chars` past the token that ends at byte `end`.
fn skip_to(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, end: usize) {
    while chars.next_if(|&(i, _)| i < end).is_some() {}
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' => {
                chars.next();
                tokens.push(if c == '(' { Token::Open } else { Token::Close });
            }
            '=' | '!' => {
                chars.next();
                match chars.next() {
                    Some((_, '=')) => tokens.push(if c == '=' {
                        Token::Equal
                    } else {
                        Token::NotEqual
                    }),
                    _ => return Err(format!("{text:?}: only == and != compare here")),
                }
            }
            '\'' | '"' => {
                chars.next();
                let mut literal = String::new();
                loop {
                    match chars.next() {
                        None => return Err(format!("{text:?} has a string that is not closed")),
                        Some((_, '\\')) => match chars.next() {
                            Some((_, escaped)) => literal.push(escaped),
                            None => return Err(format!("{text:?} ends in an escape")),
                        },
                        Some((_, quote)) if quote == c => break,
                        Some((_, other)) => literal.push(other),
                    }
                }
                tokens.push(Token::Text(Template::parse(&literal)?));
            }
            '{' => {
                let end = text[at..]
                    .find('}')
                    .map(|close| at + close + 1)
                    .ok_or_else(|| format!("{text:?} has a '{{' that no '}}' closes"))?;
                tokens.push(Token::Text(Template::parse(&text[at..end])?));
                skip_to(&mut chars, end);
            }
            c if c.is_ascii_digit() || c == '-' || c == '.' => {
                let end = text[at..]
                    .find(|d: char| {
                        !(d.is_ascii_digit()
                            || d == '.'
                            || d == '-'
                            || d == 'e'
                            || d == 'E'
                            || d == '+')
                    })
                    .map_or(text.len(), |len| at + len);
                let number = text[at..end]
                    .parse::<f64>()
                    .map_err(|_| format!("{:?} in {text:?} is not a number", &text[at..end]))?;
                tokens.push(Token::Number(number));
                skip_to(&mut chars, end);
            }
            c if c.is_alphabetic() || c == '_' => {
                let end = text[at..]
                    .find(|d: char| !(d.is_alphanumeric() || d == '_'))
                    .map_or(text.len(), |len| at + len);
                let word = &text[at..end];
                if !matches!(word, "and" | "or" | "not" | "True" | "False" | "None") {
                    return Err(format!(
                        "{word:?} in {text:?} is not supported ({SUPPORTED})"
                    ));
                }
                tokens.push(Token::Word(word.to_owned()));
                skip_to(&mut chars, end);
            }
            other => {
                return Err(format!(
                    "{other:?} in {text:?} is not supported ({SUPPORTED})"
                ));
            }
        }
    }
    if tokens.is_empty() {
        return Err("the condition is empty".to_owned());
    }
    Ok(tokens)
}

struct Parser<'t> {
    tokens: &'t [Token],
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w == word)
    }

    fn nested<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<T, String>,
    ) -> Result<T, String> {
        self.depth += 1;
        if self.depth > MAX_CONDITION_DEPTH {
            return Err(format!(
                "the condition nests deeper than {MAX_CONDITION_DEPTH} levels"
            ));
        }
        let parsed = parse(self);
        self.depth -= 1;
        parsed
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.not()?;
        while self.peek_word("and") {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.peek_word("not") {
            self.at += 1;
            return self.nested(|parser| Ok(Expr::Not(Box::new(parser.not()?))));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let left = self.atom()?;
        let equal = match self.tokens.get(self.at) {
            Some(Token::Equal) => true,
            Some(Token::NotEqual) => false,
            _ => return Ok(left),
        };
        self.at += 1;
        let right = self.atom()?;
        if matches!(
            self.tokens.get(self.at),
            Some(Token::Equal | Token::NotEqual)
        ) {
            return Err("chained comparisons are not supported; join them with 'and'".to_owned());
        }
        let (left, right) = (Box::new(left), Box::new(right));
        Ok(if equal {
            Expr::Equal(left, right)
        } else {
            Expr::NotEqual(left, right)
        })
    }

    fn atom(&mut self) -> Result<Expr, String> {
        let token = self
            .tokens
            .get(self.at)
            .ok_or("the condition ends where a value was expected")?;
        self.at += 1;
        match token {
            Token::Text(template) => Ok(Expr::Text(template.clone())),
            Token::Number(number) => Ok(Expr::Number(*number)),
            Token::Word(word) if word == "True" => Ok(Expr::Bool(true)),
            Token::Word(word) if word == "False" => Ok(Expr::Bool(false)),
            Token::Word(word) if word == "None" => Ok(Expr::None),
            Token::Open => {
                let inner = self.nested(Self::or)?;
                match self.tokens.get(self.at) {
                    Some(Token::Close) => {
                        self.at += 1;
                        Ok(inner)
                    }
                    _ => Err("a '(' is not closed".to_owned()),
                }
            }
            other => Err(format!("{} where a value was expected", other.describe())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annotation(id: &str) -> Option<&'static str> {
        match id {
            "sender_vat_id" => Some("CZ123"),
            "empty" => Some(""),
            "epd_detected" => Some("true"),
            "quote" => Some("it's"),
            "count" => Some("3"),
            _ => None,
        }
    }

    fn holds(text: &str) -> bool {
        Condition::parse(text)
            .unwrap_or_else(|e| panic!("{text:?}: {e}"))
            .holds(&annotation)
            .unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    #[test]
    fn conditions_evaluate_as_python_would() {
        for (text, expected) in [
            ("'{sender_vat_id}' != ''", true),
            ("'{empty}' != ''", false),
            (
                "'{sender_vat_id}' != '' and '{epd_detected}' == 'true'",
                true,
            ),
            ("'{empty}' != '' or '{epd_detected}' == 'true'", true),
            ("not '{empty}'", true),
            ("not ('{empty}' or '{sender_vat_id}')", false),
            ("'{sender_vat_id}' == '{sender_vat_id}'", true),
            ("{count} == '3'", true),
            ("'3' == 3", false),
            ("3 == 3.0", true),
            ("True == 1", true),
            ("None == None", true),
            ("'{quote}' == \"it's\"", true),
            ("'{quote}' == 'it\\'s'", true),
            ("False or ''", false),
            ("'a' and 'b' == 'b'", true),
            ("not not True", true),
        ] {
            assert_eq!(holds(text), expected, "{text}");
        }
    }

    #[test]
    fn a_value_with_quotes_cannot_change_the_expression() {
        // Substituted as text first, "' or '1' == '1" would make this true.
        let condition = Condition::parse("'{x}' == 'no'").unwrap();
        let value_of = |id: &str| (id == "x").then_some("' or '1' == '1");
        assert_eq!(condition.holds(&value_of), Ok(false));
    }

    #[test]
    fn the_schema_ids_read_and_a_missing_one_are_named() {
        let condition = Condition::parse("'{sender_vat_id}' != '' and {missing} == 'x'").unwrap();
        assert_eq!(condition.schema_ids(), ["sender_vat_id", "missing"]);
        assert_eq!(condition.holds(&annotation), Err("missing".to_owned()));
    }

    #[test]
    fn anything_outside_the_subset_is_refused() {
        for (text, says) in [
            ("", "empty"),
            ("len('{x}') > 0", "\"len\""),
            ("'{x}' < 'y'", "'<'"),
            ("'{x}' in ['a']", "\"in\""),
            ("'a' == 'b' == 'c'", "chained"),
            ("('a' == 'b'", "not closed"),
            ("'open", "not closed"),
            ("'a' =", "only == and !="),
            ("'a' ==", "ends where a value"),
            ("'a' 'b'", "unexpected a string"),
            ("__import__('os')", "\"__import__\""),
        ] {
            let error = Condition::parse(text).unwrap_err();
            assert!(error.contains(says), "{text:?}: {error}");
        }
    }

    #[test]
    fn size_and_nesting_are_bounded() {
        let deep = format!(
            "{}True{}",
            "(".repeat(MAX_CONDITION_DEPTH + 1),
            ")".repeat(MAX_CONDITION_DEPTH + 1)
        );
        assert!(
            Condition::parse(&deep)
                .unwrap_err()
                .contains("nests deeper")
        );
        let nots = format!("{}True", "not ".repeat(MAX_CONDITION_DEPTH + 1));
        assert!(
            Condition::parse(&nots)
                .unwrap_err()
                .contains("nests deeper")
        );
        let long = format!("'{}' == ''", "x".repeat(MAX_CONDITION_CHARS));
        assert!(Condition::parse(&long).unwrap_err().contains("characters"));
        let shallow = format!(
            "{}True{}",
            "(".repeat(MAX_CONDITION_DEPTH),
            ")".repeat(MAX_CONDITION_DEPTH)
        );
        assert!(Condition::parse(&shallow).is_ok());
    }
}
