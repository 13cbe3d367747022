//! Evaluating checks over one annotation: each check once (a header or aggregate rule) or
//! once per row of the table it reads, its message placed on a datapoint it reads.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

use expression_engine::{Date, Evaluated, Expression, Lookup, Scope};
use serde_json::Value;
use webhook_model::rossum::{
    AutomationBlocker, ContentIndex, Message, MessageType, Node, Place, RowRef,
};

use crate::config::{Check, Rule, RulesError, RulesSettings, Test};

/// How long one delivery's checks may take in all: each evaluation is bounded by the
/// engine's step budget, and this bounds their number times it (500 checks over 1 000 rows),
/// well inside the 30 s API Gateway waits.
pub const MAX_CHECKS_TIME: Duration = Duration::from_secs(3);

/// Which `annotation_content` action the delivery is, as the checks treat it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// `initialize`: every check; errors and `automation_blocker` checks block automation.
    Initialize,
    /// `updated` / `user_update`: the checks that read a changed datapoint.
    Updated,
    /// `confirm` / `export`: every check; an error blocks confirmation and export.
    Gate,
}

/// What of a delivery the checks read.
pub struct RulesInput<'a> {
    pub content: &'a [Node],
    pub queue_url: Option<&'a str>,
    pub trigger: Trigger,
    /// The datapoints changed by the user, by earlier hooks, or by earlier rules of this
    /// delivery (`updated` only).
    pub changed: &'a [u64],
    /// What `today()` is.
    pub today: Date,
}

/// What the checks add to the hook's answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RulesAnswer {
    pub messages: Vec<Message>,
    pub automation_blockers: Vec<AutomationBlocker>,
    /// Checks skipped or ignored, each naming the check and why.
    pub warnings: Vec<String>,
}

/// Evaluates `settings`' checks over the annotation, in order, for at most
/// [`MAX_CHECKS_TIME`].
pub fn run_checks(
    settings: &RulesSettings,
    input: &RulesInput<'_>,
) -> Result<RulesAnswer, RulesError> {
    run_checks_within(settings, input, MAX_CHECKS_TIME)
}

/// [`run_checks`] for at most `budget`: the checks not started by then do not run, and a
/// warning names them.
pub fn run_checks_within(
    settings: &RulesSettings,
    input: &RulesInput<'_>,
    budget: Duration,
) -> Result<RulesAnswer, RulesError> {
    let values = Values::new(input.content);
    let mut answer = RulesAnswer {
        warnings: settings.warnings.clone(),
        ..RulesAnswer::default()
    };
    let changed: HashSet<u64> = input.changed.iter().copied().collect();
    // Identical messages on one datapoint (an `or` group's members often share one) show once.
    let mut shown: HashSet<(Option<u64>, MessageType, String)> = HashSet::new();
    let deadline = Instant::now() + budget;
    for (index, check) in settings.checks.iter().enumerate() {
        if Instant::now() > deadline {
            let rest: Vec<&str> = settings.checks[index..]
                .iter()
                .map(|c| c.label.as_str())
                .collect();
            answer.warnings.push(format!(
                "the checks took longer than {:?} and were stopped; did not run: {}",
                budget,
                rest.join(", ")
            ));
            break;
        }
        if !check.applies_to_queue(input.queue_url) {
            continue;
        }
        let table = table_of(check, &values)?;
        if input.trigger == Trigger::Updated && !reads_changed(check, &values, &changed) {
            continue;
        }
        let rows: Vec<Option<RowRef>> = match table {
            None => vec![None],
            Some(t) => (0..values.index.rows(t)).map(|r| Some((t, r))).collect(),
        };
        for row in rows {
            let scope = RowScope {
                values: &values,
                row,
                today: input.today,
            };
            let failed = match evaluate_check(check, &scope) {
                Ok(failed) => failed,
                Err(error) => {
                    answer
                        .warnings
                        .push(format!("{}: could not be evaluated: {error}", check.label));
                    continue;
                }
            };
            for rule in failed {
                let id = anchor(&rule.expression, &scope);
                let key = (id, rule.kind, rule.message.clone());
                if !shown.insert(key) {
                    continue;
                }
                let message = Message::new(rule.kind, id, rule.message.clone());
                if input.trigger == Trigger::Initialize
                    && (rule.kind == MessageType::Error || rule.automation_blocker)
                {
                    answer.automation_blockers.push(AutomationBlocker {
                        id,
                        content: message.content.clone(),
                    });
                }
                answer.messages.push(message);
            }
        }
    }
    Ok(answer)
}

/// The rules of `check` that failed in `scope` (none when its condition does not hold or an
/// empty operand skips it); an `or` group fails, with all its members, only when each fails.
fn evaluate_check<'c>(check: &'c Check, scope: &RowScope<'_, '_>) -> Result<Vec<&'c Rule>, String> {
    if let Some(condition) = &check.condition
        && !holds(condition, scope)?
    {
        return Ok(Vec::new());
    }
    Ok(match &check.test {
        Test::Rule(rule) => {
            if fails(rule, scope)? {
                vec![rule]
            } else {
                Vec::new()
            }
        }
        Test::AnyOf(rules) => {
            let mut failed: Vec<&Rule> = Vec::new();
            for rule in rules {
                if !fails(rule, scope)? {
                    return Ok(Vec::new());
                }
                // Members sharing a text (the documented example) show it once, on the
                // first member's datapoint.
                if !failed
                    .iter()
                    .any(|f| f.message == rule.message && f.kind == rule.kind)
                {
                    failed.push(rule);
                }
            }
            failed
        }
    })
}

/// Whether a condition holds: an empty operand in it means it does not.
fn holds(expression: &Expression, scope: &RowScope<'_, '_>) -> Result<bool, String> {
    match expression.evaluate(scope).map_err(|e| e.to_string())? {
        Evaluated::Skipped => Ok(false),
        Evaluated::Value(value) => Ok(value.truthy()),
    }
}

/// Whether a rule is violated: false, and not skipped by an empty operand.
fn fails(rule: &Rule, scope: &RowScope<'_, '_>) -> Result<bool, String> {
    match rule.expression.evaluate(scope).map_err(|e| e.to_string())? {
        Evaluated::Skipped => Ok(false),
        Evaluated::Value(value) => Ok(!value.truthy()),
    }
}

/// The table the check runs over per row (`None`: once, for the header and aggregates).
fn table_of(check: &Check, values: &Values<'_>) -> Result<Option<usize>, RulesError> {
    let mut tables: BTreeSet<usize> = BTreeSet::new();
    let mut columns: Vec<&str> = Vec::new();
    for expression in check.expressions() {
        for placeholder in expression.placeholders() {
            match values.index.place(&placeholder.schema_id) {
                Place::Header => {}
                Place::Column(t) => {
                    if !placeholder.in_aggregate {
                        tables.insert(t);
                        columns.push(&placeholder.schema_id);
                    }
                }
                // As the Expression Engine reads it: empty (`has_value` false, else skipped).
                Place::Missing => {}
            }
        }
    }
    if tables.len() > 1 {
        return Err(RulesError(format!(
            "{}: a rule may read one table, and this one reads columns of several ({})",
            check.label,
            columns.join(", ")
        )));
    }
    Ok(tables.into_iter().next())
}

/// Whether a datapoint the check reads is among `changed`.
fn reads_changed(check: &Check, values: &Values<'_>, changed: &HashSet<u64>) -> bool {
    check
        .schema_ids()
        .into_iter()
        .any(|id| match values.index.place(id) {
            Place::Header => values
                .index
                .node(id, None)
                .is_some_and(|n| changed.contains(&n.id)),
            Place::Column(_) => values
                .index
                .column(id)
                .into_iter()
                .flatten()
                .any(|n| changed.contains(&n.id)),
            Place::Missing => false,
        })
}

/// Where a failed rule's message goes: for a row, the first column the rule reads in that
/// row; otherwise the first datapoint it reads that has a value, else the first it reads;
/// document-wide when it reads none.
fn anchor(expression: &Expression, scope: &RowScope<'_, '_>) -> Option<u64> {
    let placeholders = expression.placeholders();
    if let Some((table, _)) = scope.row {
        let cell = placeholders
            .iter()
            .filter(|p| !p.in_aggregate && scope.values.index.is_column_of(&p.schema_id, table))
            .find_map(|p| scope.values.index.node(&p.schema_id, scope.row));
        if let Some(cell) = cell {
            return Some(cell.id);
        }
    }
    let header: Vec<&Node> = placeholders
        .iter()
        .filter_map(|p| match scope.values.index.place(&p.schema_id) {
            Place::Header => scope.values.index.node(&p.schema_id, None),
            _ => None,
        })
        .collect();
    header
        .iter()
        .find(|n| !scope.values.text(n).is_empty())
        .or(header.first())
        .map(|n| n.id)
}

/// The annotation's datapoints and the text each is read as.
struct Values<'a> {
    index: ContentIndex<'a>,
    /// Datapoints whose `normalized_value` is a number: its text (Rossum's `value` may be
    /// formatted, `"18 492.48"`; the normalised one is machine-readable).
    normalized: HashMap<u64, String>,
}

impl<'a> Values<'a> {
    fn new(content: &'a [Node]) -> Self {
        let normalized = webhook_model::rossum::walk(content)
            .filter_map(|node| {
                let content = node.content.as_ref()?;
                match content.normalized_value.as_ref()? {
                    Value::Number(number) => Some((node.id, number.to_string())),
                    Value::String(text) if !text.is_empty() => Some((node.id, text.clone())),
                    _ => None,
                }
            })
            .collect();
        Self {
            index: ContentIndex::new(content),
            normalized,
        }
    }

    /// The text a datapoint is read as: its normalised value when Rossum gave one, else its
    /// value; `""` when empty.
    fn text<'s>(&'s self, node: &'s Node) -> &'s str {
        if node.value().is_none_or(|v| v.trim().is_empty()) {
            return "";
        }
        self.normalized
            .get(&node.id)
            .map(String::as_str)
            .or_else(|| node.value())
            .unwrap_or("")
    }
}

/// The values one evaluation reads: the header's, and the current row's cells.
struct RowScope<'v, 'a> {
    values: &'v Values<'a>,
    row: Option<RowRef>,
    today: Date,
}

impl Scope for RowScope<'_, '_> {
    fn lookup(&self, schema_id: &str, in_aggregate: bool) -> Lookup<'_> {
        let index = &self.values.index;
        match index.place(schema_id) {
            Place::Header => index
                .node(schema_id, None)
                .map_or(Lookup::Missing, |n| Lookup::One(self.values.text(n))),
            Place::Column(table) => match self.row {
                Some((t, _)) if t == table && !in_aggregate => Lookup::One(
                    index
                        .node(schema_id, self.row)
                        .map_or("", |n| self.values.text(n)),
                ),
                _ => Lookup::Many(
                    index
                        .column(schema_id)
                        .into_iter()
                        .map(|cell| cell.map_or("", |n| self.values.text(n)))
                        .collect(),
                ),
            },
            Place::Missing => Lookup::Missing,
        }
    }

    fn today(&self) -> Date {
        self.today
    }
}
