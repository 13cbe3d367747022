//! A hook's `checks`, read as BRV documents them and checked before any is evaluated: what
//! cannot run is refused naming where it is (`checks[3].or[1].rule`), a key we do not know
//! is a warning naming it; sizes are bounded.

use std::collections::BTreeSet;
use std::fmt;

use expression_engine::Expression;
use serde_json::{Map, Value};
use webhook_model::rossum::{Message, MessageType};

/// Most checks one hook may have.
pub const MAX_CHECKS: usize = 500;
/// Most members one `or` group may have.
pub const MAX_GROUP_MEMBERS: usize = 50;

/// Checks that cannot run as written (a 400 naming where and why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError(pub String);

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid business rules: {}", self.0)
    }
}

impl std::error::Error for RulesError {}

/// The checks of a hook, in the order they are evaluated.
#[derive(Debug, Clone)]
pub struct RulesSettings {
    pub checks: Vec<Check>,
    /// Keys that were ignored, each named with where it was.
    pub warnings: Vec<String>,
}

/// One check: a rule (or an `or` group of them), where it applies, and where not.
#[derive(Debug, Clone)]
pub struct Check {
    /// Where it is in the settings (`checks[3]`): how warnings and errors name it.
    pub label: String,
    pub test: Test,
    /// The check applies only where this holds.
    pub condition: Option<Expression>,
    /// The queues it applies to; empty: every queue.
    pub queue_ids: Vec<u64>,
}

/// What a check tests.
#[derive(Debug, Clone)]
pub enum Test {
    Rule(Rule),
    /// Fails only when every member fails.
    AnyOf(Vec<Rule>),
}

/// A rule and what is shown when it is false.
#[derive(Debug, Clone)]
pub struct Rule {
    pub label: String,
    pub expression: Expression,
    pub message: String,
    pub kind: MessageType,
    pub automation_blocker: bool,
}

impl Check {
    /// Every expression of the check: its rules, then its condition.
    pub fn expressions(&self) -> impl Iterator<Item = &Expression> {
        let rules: Vec<&Expression> = match &self.test {
            Test::Rule(rule) => vec![&rule.expression],
            Test::AnyOf(rules) => rules.iter().map(|r| &r.expression).collect(),
        };
        rules.into_iter().chain(self.condition.as_ref())
    }

    /// Every schema id the check reads.
    pub fn schema_ids(&self) -> BTreeSet<&str> {
        self.expressions()
            .flat_map(|e| e.placeholders().iter().map(|p| p.schema_id.as_str()))
            .collect()
    }

    /// Whether it applies to the annotation of the queue at `queue_url`.
    pub fn applies_to_queue(&self, queue_url: Option<&str>) -> bool {
        webhook_model::rossum::in_queues(&self.queue_ids, queue_url)
    }
}

impl RulesSettings {
    /// The checks of a hook's `settings`; `None` when there is no `checks` key (the function
    /// then runs its built-in rules).
    pub fn from_hook_settings(settings: &Value) -> Result<Option<Self>, RulesError> {
        let Some(checks) = settings.get("checks") else {
            return Ok(None);
        };
        let checks = checks
            .as_array()
            .ok_or_else(|| RulesError("'checks' must be a list".to_owned()))?;
        if checks.len() > MAX_CHECKS {
            return Err(RulesError(format!(
                "{} checks, more than the {MAX_CHECKS} allowed",
                checks.len()
            )));
        }
        let mut warnings = Vec::new();
        if let Some(variables) = settings.get("variables") {
            match variables.as_object() {
                Some(v) if v.is_empty() => {}
                Some(v) => warnings.push(format!(
                    "variables ({}) are not supported and were ignored: the Expression Engine documents no syntax for them",
                    v.keys().cloned().collect::<Vec<_>>().join(", ")
                )),
                None => return Err(RulesError("'variables' must be an object".to_owned())),
            }
        }
        let mut read = Vec::new();
        for (index, value) in checks.iter().enumerate() {
            if let Some(check) = read_check(&format!("checks[{index}]"), value, &mut warnings)? {
                read.push(check);
            }
        }
        Ok(Some(Self {
            checks: read,
            warnings,
        }))
    }
}

/// The keys of one check, with what was not read reported.
struct Keys<'v> {
    at: String,
    object: &'v Map<String, Value>,
    read: BTreeSet<&'static str>,
}

impl<'v> Keys<'v> {
    fn of(at: &str, value: &'v Value) -> Result<Self, RulesError> {
        let object = value
            .as_object()
            .ok_or_else(|| RulesError(format!("{at} must be an object")))?;
        Ok(Self {
            at: at.to_owned(),
            object,
            read: BTreeSet::new(),
        })
    }

    fn get(&mut self, key: &'static str) -> Option<&'v Value> {
        self.read.insert(key);
        self.object.get(key).filter(|v| !v.is_null())
    }

    fn text(&mut self, key: &'static str) -> Result<Option<&'v str>, RulesError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(RulesError(format!("{}.{key} must be a string", self.at))),
        }
    }

    /// A boolean, or the strings "true"/"false" (seen in live BRV settings).
    fn flag(&mut self, key: &'static str, default: bool) -> Result<bool, RulesError> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
            Some(_) => Err(RulesError(format!(
                "{}.{key} must be true or false",
                self.at
            ))),
        }
    }

    fn expression(&mut self, key: &'static str) -> Result<Option<Expression>, RulesError> {
        let Some(text) = self.text(key)? else {
            return Ok(None);
        };
        if text.trim().is_empty() {
            return Ok(None);
        }
        Expression::parse(text)
            .map(Some)
            .map_err(|e| RulesError(format!("{}.{key}: {e}", self.at)))
    }

    /// Warnings for every key not read (`//` keys are comments).
    fn finish(self, warnings: &mut Vec<String>) {
        for key in self.object.keys() {
            if !self.read.contains(key.as_str()) && !key.starts_with("//") {
                warnings.push(format!("{}: unknown key {key:?} ignored", self.at));
            }
        }
    }
}

fn read_check(
    at: &str,
    value: &Value,
    warnings: &mut Vec<String>,
) -> Result<Option<Check>, RulesError> {
    let mut keys = Keys::of(at, value)?;
    let active = keys.flag("active", true)?;
    let queue_ids = match keys.get("queue_ids") {
        None => Vec::new(),
        Some(Value::Array(ids)) => ids
            .iter()
            .map(|id| match id {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.parse().ok(),
                _ => None,
            })
            .collect::<Option<Vec<u64>>>()
            .ok_or_else(|| RulesError(format!("{at}.queue_ids must list queue ids")))?,
        Some(_) => return Err(RulesError(format!("{at}.queue_ids must be a list"))),
    };
    let condition = keys.expression("condition")?;
    let test = match keys.get("or") {
        Some(Value::Array(members)) => {
            if members.is_empty() || members.len() > MAX_GROUP_MEMBERS {
                return Err(RulesError(format!(
                    "{at}.or must list 1 to {MAX_GROUP_MEMBERS} checks"
                )));
            }
            // The group's own message and type are the members' defaults.
            let defaults = read_message(&mut keys, None)?;
            let rules = members
                .iter()
                .enumerate()
                .map(|(i, member)| {
                    let member_at = format!("{at}.or[{i}]");
                    let mut member_keys = Keys::of(&member_at, member)?;
                    let rule = read_rule(&mut member_keys, Some(&defaults))?;
                    member_keys.finish(warnings);
                    Ok(rule)
                })
                .collect::<Result<Vec<_>, RulesError>>()?;
            Test::AnyOf(rules)
        }
        Some(_) => return Err(RulesError(format!("{at}.or must be a list of checks"))),
        None => Test::Rule(read_rule(&mut keys, None)?),
    };
    keys.finish(warnings);
    Ok(active.then(|| Check {
        label: at.to_owned(),
        test,
        condition,
        queue_ids,
    }))
}

/// What a rule shows: its `message`, `type` and `automation_blocker`, falling back to the
/// group's.
#[derive(Clone)]
struct Shown {
    message: Option<String>,
    kind: MessageType,
    automation_blocker: bool,
}

fn read_message(keys: &mut Keys<'_>, defaults: Option<&Shown>) -> Result<Shown, RulesError> {
    let message = keys.text("message")?.map(str::to_owned);
    if let Some(text) = &message
        && text.chars().count() > Message::MAX_CHARS
    {
        return Err(RulesError(format!(
            "{}.message is longer than the {} characters Rossum shows",
            keys.at,
            Message::MAX_CHARS
        )));
    }
    let kind = match keys.text("type")? {
        None => defaults.map_or(MessageType::Error, |d| d.kind),
        Some("error") => MessageType::Error,
        Some("warning") => MessageType::Warning,
        Some("info") => MessageType::Info,
        Some(other) => {
            return Err(RulesError(format!(
                "{}.type must be error, warning or info, not {other:?}",
                keys.at
            )));
        }
    };
    let automation_blocker = keys.flag(
        "automation_blocker",
        defaults.is_some_and(|d| d.automation_blocker),
    )?;
    Ok(Shown {
        message: message.or_else(|| defaults.and_then(|d| d.message.clone())),
        kind,
        automation_blocker,
    })
}

fn read_rule(keys: &mut Keys<'_>, defaults: Option<&Shown>) -> Result<Rule, RulesError> {
    let at = keys.at.clone();
    let expression = keys
        .expression("rule")?
        .ok_or_else(|| RulesError(format!("{at}.rule is missing")))?;
    let shown = read_message(keys, defaults)?;
    let message = shown
        .message
        .ok_or_else(|| RulesError(format!("{at}.message is missing")))?;
    Ok(Rule {
        label: at,
        expression,
        message,
        kind: shown.kind,
        automation_blocker: shown.automation_blocker,
    })
}
