//! Evaluating checks over one annotation: each check once (a header or aggregate rule) or
//! once per row of the table it reads, its message placed on a datapoint it reads.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use expression_engine::{Date, Evaluated, Expression, Lookup};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
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
    let numbers = NumberTexts::new(input.content, settings);
    let mut values = Values::new(input.content, &numbers);
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
        values.read_columns(check);
        let bound = BoundCheck::new(check, &values);
        // One buffer of looked-up values, refilled for every evaluation.
        let mut lookups: Vec<Lookup<'_>> = Vec::new();
        let rows: Vec<Option<RowRef>> = match table {
            None => vec![None],
            Some(t) => (0..values.index.rows(t)).map(|r| Some((t, r))).collect(),
        };
        for row in rows {
            let at = At {
                row,
                today: input.today,
            };
            let failed = match bound.failed(check, at, &mut lookups) {
                Ok(failed) => failed,
                Err(error) => {
                    answer
                        .warnings
                        .push(format!("{}: could not be evaluated: {error}", check.label));
                    continue;
                }
            };
            for rule in failed {
                let id = anchor(&rule.expression, &values, row);
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

/// Where one evaluation is: the row a per-row check is at (`None`: header and aggregates).
#[derive(Clone, Copy)]
struct At {
    row: Option<RowRef>,
    today: Date,
}

/// Where each placeholder of a check's expressions reads from, resolved once per delivery so
/// that evaluating the check on each row looks nothing up by name.
struct BoundCheck<'t> {
    condition: Option<Vec<Source<'t>>>,
    rules: Vec<Vec<Source<'t>>>,
}

#[derive(Clone, Copy)]
enum Source<'t> {
    Header(&'t str),
    /// Every row's cell of the column (`""` for a row without it).
    Column {
        table: usize,
        cells: &'t [&'t str],
        in_aggregate: bool,
    },
    Missing,
}

impl<'t> BoundCheck<'t> {
    fn new(check: &Check, values: &'t Values<'_>) -> Self {
        let bind = |expression: &Expression| {
            expression
                .placeholders()
                .iter()
                .map(|p| values.source(&p.schema_id, p.in_aggregate))
                .collect::<Vec<_>>()
        };
        let rules = match &check.test {
            Test::Rule(rule) => vec![bind(&rule.expression)],
            Test::AnyOf(rules) => rules.iter().map(|r| bind(&r.expression)).collect(),
        };
        Self {
            condition: check.condition.as_ref().map(bind),
            rules,
        }
    }

    /// The rules of `check` that failed at `at` (none when its condition does not hold or an
    /// empty operand skips it); an `or` group fails, with all its members, only when each
    /// fails.
    fn failed<'c: 't>(
        &self,
        check: &'c Check,
        at: At,
        lookups: &mut Vec<Lookup<'t>>,
    ) -> Result<Vec<&'c Rule>, String> {
        if let (Some(condition), Some(sources)) = (&check.condition, &self.condition) {
            match evaluate(condition, sources, at, lookups)? {
                Evaluated::Value(value) if value.truthy() => {}
                // An empty operand in a condition means it does not hold.
                _ => return Ok(Vec::new()),
            }
        }
        let fails = |rule: &'c Rule, sources: &[Source<'t>], lookups: &mut Vec<Lookup<'t>>| {
            Ok::<bool, String>(match evaluate(&rule.expression, sources, at, lookups)? {
                Evaluated::Skipped => false,
                Evaluated::Value(value) => !value.truthy(),
            })
        };
        Ok(match &check.test {
            Test::Rule(rule) => {
                if fails(rule, &self.rules[0], lookups)? {
                    vec![rule]
                } else {
                    Vec::new()
                }
            }
            Test::AnyOf(rules) => {
                let mut failed: Vec<&Rule> = Vec::new();
                for (rule, sources) in rules.iter().zip(&self.rules) {
                    if !fails(rule, sources, lookups)? {
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
}

/// Evaluates `expression` at `at` with its placeholders read from `sources`.
fn evaluate<'t>(
    expression: &'t Expression,
    sources: &[Source<'t>],
    at: At,
    lookups: &mut Vec<Lookup<'t>>,
) -> Result<Evaluated, String> {
    lookups.clear();
    lookups.extend(sources.iter().map(|source| match *source {
        Source::Header(text) => Lookup::One(text),
        Source::Column {
            table,
            cells,
            in_aggregate,
        } => match at.row {
            Some((t, row)) if t == table && !in_aggregate => Lookup::One(cells[row]),
            _ => Lookup::Many(Cow::Borrowed(cells)),
        },
        Source::Missing => Lookup::Missing,
    }));
    expression
        .evaluate_with(lookups, at.today)
        .map_err(|e| e.to_string())
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
fn anchor(expression: &Expression, values: &Values<'_>, row: Option<RowRef>) -> Option<u64> {
    let placeholders = expression.placeholders();
    if let Some((table, _)) = row {
        let cell = placeholders
            .iter()
            .filter(|p| !p.in_aggregate && values.index.is_column_of(&p.schema_id, table))
            .find_map(|p| values.index.node(&p.schema_id, row));
        if let Some(cell) = cell {
            return Some(cell.id);
        }
    }
    let header: Vec<&Node> = placeholders
        .iter()
        .filter_map(|p| match values.index.place(&p.schema_id) {
            Place::Header => values.index.node(&p.schema_id, None),
            _ => None,
        })
        .collect();
    header
        .iter()
        .find(|n| !values.text(n).is_empty())
        .or(header.first())
        .map(|n| n.id)
}

/// The texts of datapoints whose `normalized_value` is a JSON number (Rossum's `value` may be
/// formatted, `"18 492.48"`; the normalised one is machine-readable), of the schema ids the
/// checks read.
struct NumberTexts {
    /// Every such number's text, one after the other (one allocation, not one per number).
    text: String,
    /// Where each datapoint's text is in `text`.
    at: HashMap<u64, (usize, usize)>,
}

impl NumberTexts {
    fn new(content: &[Node], settings: &RulesSettings) -> Self {
        let read: HashSet<&str> = settings.checks.iter().flat_map(Check::schema_ids).collect();
        let mut numbers = Self {
            text: String::new(),
            at: HashMap::new(),
        };
        for node in webhook_model::rossum::walk(content) {
            if !read.contains(node.schema_id.as_str()) {
                continue;
            }
            if let Some(Value::Number(number)) = node
                .content
                .as_ref()
                .and_then(|c| c.normalized_value.as_ref())
            {
                let start = numbers.text.len();
                // Writing into a String cannot fail.
                let _ = write!(numbers.text, "{number}");
                numbers.at.insert(node.id, (start, numbers.text.len()));
            }
        }
        numbers
    }

    fn get(&self, id: u64) -> Option<&str> {
        self.at.get(&id).map(|&(start, end)| &self.text[start..end])
    }
}

/// The annotation's datapoints, the text each is read as, and the columns checks read.
struct Values<'a> {
    index: ContentIndex<'a>,
    numbers: &'a NumberTexts,
    /// Every row's text of each column a check has read so far.
    columns: HashMap<String, Vec<&'a str>>,
}

impl<'a> Values<'a> {
    fn new(content: &'a [Node], numbers: &'a NumberTexts) -> Self {
        Self {
            index: ContentIndex::new(content),
            numbers,
            columns: HashMap::new(),
        }
    }

    /// The text a datapoint is read as: its normalised value when Rossum gave one, else its
    /// value; `""` when empty.
    fn text(&self, node: &'a Node) -> &'a str {
        let Some(value) = node.value() else {
            return "";
        };
        if value.trim().is_empty() {
            return "";
        }
        match node
            .content
            .as_ref()
            .and_then(|c| c.normalized_value.as_ref())
        {
            Some(Value::String(text)) if !text.is_empty() => text,
            Some(Value::Number(_)) => self.numbers.get(node.id).unwrap_or(value),
            _ => value,
        }
    }

    /// Reads the texts of the columns `check` reads that no earlier check read.
    fn read_columns(&mut self, check: &Check) {
        for id in check.schema_ids() {
            if self.columns.contains_key(id) || !matches!(self.index.place(id), Place::Column(_)) {
                continue;
            }
            let texts = self
                .index
                .column(id)
                .into_iter()
                .map(|cell| cell.map_or("", |n| self.text(n)))
                .collect();
            self.columns.insert(id.to_owned(), texts);
        }
    }

    /// Where `{schema_id}` reads from; its column's texts must have been read.
    fn source(&self, schema_id: &str, in_aggregate: bool) -> Source<'_> {
        match self.index.place(schema_id) {
            Place::Header => self
                .index
                .node(schema_id, None)
                .map_or(Source::Missing, |n| Source::Header(self.text(n))),
            Place::Column(table) => Source::Column {
                table,
                cells: self.columns.get(schema_id).map_or(&[], Vec::as_slice),
                in_aggregate,
            },
            Place::Missing => Source::Missing,
        }
    }
}
