//! One delivery's matching: every configuration in order, each over its rows, the queries
//! of a configuration tried in order over the rows still without a result (one batched
//! store call per query and dataset, whatever the number of rows).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use dataset_store::{DatasetInfo, DatasetStore, Unavailable, fuzzy_field_text, index_key};
use matching_config::{Configuration, MatchingSettings, Query, RecordPath, Select, record_matches};
use serde_json::Value;
use vendor_matching::normalize::name_similarity;
use webhook_model::rossum::{
    AutomationBlocker, EnumOption, Message, MessageType, Node, Operation, Place, ReplaceValue,
    RowRef, ValueContent,
};

use crate::annotation::Fields;

/// Most store calls one delivery's matching makes; the configurations after that do not run
/// (a warning says so), so no configuration list can make a delivery unbounded.
pub const MAX_STORE_CALLS: usize = 200;

/// Which `annotation_content` action the delivery is, as matching treats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// `initialize`: every configuration runs, error messages block automation.
    Initialize,
    /// `updated` / `user_update`: a configuration runs where a datapoint it reads changed.
    Updated,
    /// `started`: nothing runs.
    Started,
}

impl Trigger {
    pub fn of_action(action: &str) -> Option<Self> {
        match action {
            "initialize" => Some(Self::Initialize),
            "updated" | "user_update" => Some(Self::Updated),
            "started" => Some(Self::Started),
            _ => None,
        }
    }
}

/// What of a delivery matching reads.
#[derive(Debug, Clone, Copy)]
pub struct Annotation<'a> {
    pub content: &'a [Node],
    /// The sideloaded `schemas`, for which datapoints hold numbers.
    pub schemas: Option<&'a Value>,
    /// The annotation's queue URL, for `queue_ids`.
    pub queue_url: Option<&'a str>,
    pub trigger: Trigger,
    pub updated_datapoints: &'a [u64],
}

/// What matching adds to the hook's answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchingAnswer {
    pub messages: Vec<Message>,
    /// At most one replace per datapoint (the last configuration setting it wins), and none
    /// for a datapoint already holding what matching found.
    pub operations: Vec<Operation>,
    pub automation_blockers: Vec<AutomationBlocker>,
    /// What was skipped or ignored, each naming the configuration and why.
    pub warnings: Vec<String>,
    /// How many store calls were made.
    pub store_calls: usize,
}

/// Why matching could not answer.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchingError {
    /// The configurations cannot run on this dataset or annotation as written (a 400).
    Configuration(String),
    /// The datasets could not be read.
    Unavailable(Unavailable),
}

impl fmt::Display for MatchingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchingError::Configuration(reason) => {
                write!(f, "invalid matching configuration: {reason}")
            }
            MatchingError::Unavailable(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for MatchingError {}

impl From<Unavailable> for MatchingError {
    fn from(error: Unavailable) -> Self {
        MatchingError::Unavailable(error)
    }
}

/// Runs `settings`' configurations in order over `annotation`, each seeing what the earlier
/// ones set.
pub async fn run_matching(
    settings: &MatchingSettings,
    annotation: &Annotation<'_>,
    store: &dyn DatasetStore,
) -> Result<MatchingAnswer, MatchingError> {
    let mut run = Run {
        fields: Fields::new(annotation.content, annotation.schemas),
        annotation,
        store,
        datasets: HashMap::new(),
        changed: annotation.updated_datapoints.iter().copied().collect(),
        answer: MatchingAnswer {
            warnings: settings.warnings.clone(),
            ..MatchingAnswer::default()
        },
        replaced: HashMap::new(),
    };
    if annotation.trigger == Trigger::Started {
        return Ok(run.answer);
    }
    // Datasets named without placeholders are described together: one store call.
    let named: Vec<String> = settings
        .configurations
        .iter()
        .filter_map(|c| c.dataset.render(|_| None).ok())
        .collect();
    run.describe(named).await?;
    for (index, configuration) in settings.configurations.iter().enumerate() {
        if run.answer.store_calls >= MAX_STORE_CALLS {
            let rest: Vec<&str> = settings.configurations[index..]
                .iter()
                .map(|c| c.label.as_str())
                .collect();
            run.warn(format!(
                "matching stopped after {MAX_STORE_CALLS} lookups; did not run: {}",
                rest.join(", ")
            ));
            break;
        }
        run.configuration(configuration).await?;
    }
    Ok(run.answer)
}

struct Run<'r, 'a> {
    fields: Fields<'a>,
    annotation: &'r Annotation<'a>,
    store: &'r dyn DatasetStore,
    /// Described datasets by name; `None`: no such dataset.
    datasets: HashMap<String, Option<DatasetInfo>>,
    /// The datapoints the user (or an earlier hook) changed.
    changed: HashSet<u64>,
    answer: MatchingAnswer,
    /// Where each replaced datapoint's operation is in `answer.operations`.
    replaced: HashMap<u64, usize>,
}

/// One row a configuration runs on (`None`: the header) and the dataset it searches.
struct Pending {
    row: Option<RowRef>,
    dataset: String,
}

impl<'a> Run<'_, 'a> {
    fn warn(&mut self, warning: String) {
        self.answer.warnings.push(warning);
    }

    async fn describe(&mut self, names: Vec<String>) -> Result<(), Unavailable> {
        let mut unknown: Vec<String> = names
            .into_iter()
            .filter(|name| !self.datasets.contains_key(name))
            .collect();
        unknown.sort();
        unknown.dedup();
        if unknown.is_empty() {
            return Ok(());
        }
        self.answer.store_calls += 1;
        let mut found = self.store.describe(&unknown).await?;
        for name in unknown {
            let info = found.remove(&name);
            self.datasets.insert(name, info);
        }
        Ok(())
    }

    async fn configuration(&mut self, config: &Configuration) -> Result<(), MatchingError> {
        if !config.applies_to_queue(self.annotation.queue_url) {
            return Ok(());
        }
        let Some(table) = self.check_places(config)? else {
            return Ok(());
        };
        let mut rows: Vec<Option<RowRef>> = match table {
            None => vec![None],
            Some(t) => (0..self.fields.rows(t)).map(|r| Some((t, r))).collect(),
        };
        if self.annotation.trigger == Trigger::Updated {
            let read = config.schema_ids();
            rows.retain(|&row| {
                read.iter().any(|id| {
                    self.fields
                        .node(id, row)
                        .is_some_and(|n| self.changed.contains(&n.id) || self.fields.was_set(n.id))
                })
            });
        }
        let mut pending = Vec::new();
        for row in rows {
            let value_of = |id: &str| self.fields.value(id, row);
            if let Some(condition) = &config.action_condition {
                let holds = condition.holds(&value_of).map_err(|missing| {
                    MatchingError::Configuration(format!(
                        "{}: action_condition reads {{{missing}}}, which the annotation does not have",
                        config.label
                    ))
                })?;
                if !holds {
                    self.reset(config, row);
                    continue;
                }
            }
            let dataset = config.dataset.render(value_of).map_err(|missing| {
                MatchingError::Configuration(format!(
                    "{}: the dataset name reads {{{missing}}}, which the annotation does not have",
                    config.label
                ))
            })?;
            pending.push(Pending { row, dataset });
        }
        self.describe(pending.iter().map(|p| p.dataset.clone()).collect())
            .await?;
        let mut results: Vec<Option<Vec<Arc<Value>>>> = vec![None; pending.len()];
        let mut unresolved: Vec<usize> = Vec::new();
        let mut missing_datasets = BTreeMap::new();
        for (i, p) in pending.iter().enumerate() {
            match self.datasets.get(&p.dataset) {
                Some(Some(_)) => unresolved.push(i),
                _ => {
                    missing_datasets.insert(p.dataset.clone(), ());
                }
            }
        }
        for name in missing_datasets.into_keys() {
            self.warn(format!(
                "{}: there is no dataset {name:?}; nothing matched",
                config.label
            ));
        }
        for (query_index, query) in config.queries.iter().enumerate() {
            if unresolved.is_empty() {
                break;
            }
            let mut by_dataset: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for &i in &unresolved {
                by_dataset.entry(&pending[i].dataset).or_default().push(i);
            }
            for (name, indexes) in by_dataset {
                let Some(Some(info)) = self.datasets.get(name) else {
                    continue;
                };
                let info = info.clone();
                let at = QueryAt {
                    config,
                    query_index,
                    info: &info,
                };
                let rows: Vec<Option<RowRef>> = indexes.iter().map(|&i| pending[i].row).collect();
                let found = match query {
                    Query::Find(find) => self.find(&at, find, &rows).await?,
                    Query::Fuzzy {
                        field,
                        value,
                        threshold,
                    } => self.fuzzy(&at, field, value, *threshold, &rows).await?,
                };
                for (i, records) in indexes.into_iter().zip(found) {
                    if !records.is_empty() {
                        results[i] = Some(records);
                    }
                }
            }
            unresolved.retain(|&i| results[i].is_none());
        }
        for (p, records) in pending.iter().zip(results) {
            self.apply(config, p.row, records.unwrap_or_default());
        }
        Ok(())
    }

    /// Which table the configuration runs over (`Some(None)`: the header), after checking
    /// that its targets and placeholders are where it can use them; `None`: skipped (a
    /// warning says why).
    fn check_places(
        &mut self,
        config: &Configuration,
    ) -> Result<Option<Option<usize>>, MatchingError> {
        let target = &config.mapping.target_schema_id;
        let table = match self.fields.place(target) {
            Place::Header => None,
            Place::Column(t) => Some(t),
            Place::Missing => {
                self.warn(format!(
                    "{}: the target datapoint {target:?} is not in the annotation; skipped",
                    config.label
                ));
                return Ok(None);
            }
        };
        let refuse = |what: String| {
            Err(MatchingError::Configuration(format!(
                "{}: {what}",
                config.label
            )))
        };
        for extra in &config.additional_mappings {
            let id = &extra.target_schema_id;
            match (self.fields.place(id), table) {
                (Place::Header, None) => {}
                (Place::Column(t), Some(target_table)) if t == target_table => {}
                (Place::Missing, _) => {}
                (Place::Column(_), None) => {
                    return refuse(format!(
                        "the additional target {id:?} is a line-item column but the target {target:?} is a header field"
                    ));
                }
                (_, Some(_)) => {
                    return refuse(format!(
                        "the additional target {id:?} is not a column of the table of the line-item target {target:?}"
                    ));
                }
            }
        }
        for id in config.schema_ids() {
            match (self.fields.place(id), table) {
                (Place::Header, _) => {}
                (Place::Column(t), Some(target_table)) if t == target_table => {}
                (Place::Column(_), None) => {
                    return refuse(format!(
                        "the target {target:?} is a header field but the configuration reads the line-item column {id:?} (target a column of that table to match per row)"
                    ));
                }
                (Place::Column(_), Some(_)) => {
                    return refuse(format!(
                        "the configuration reads {id:?}, a column of another table than its target {target:?}"
                    ));
                }
                (Place::Missing, _) => {
                    self.warn(format!(
                        "{}: the placeholder {{{id}}} names no datapoint of the annotation; skipped",
                        config.label
                    ));
                    return Ok(None);
                }
            }
        }
        Ok(Some(table))
    }

    /// An equality `find` for each row: one store call for the distinct keys of all rows.
    async fn find(
        &mut self,
        at: &QueryAt<'_>,
        find: &[(RecordPath, matching_config::FindValue)],
        rows: &[Option<RowRef>],
    ) -> Result<Vec<Vec<Arc<Value>>>, MatchingError> {
        let dotted: Vec<Option<String>> = find.iter().map(|(path, _)| path.dotted()).collect();
        let names: Vec<&str> = dotted.iter().flatten().map(String::as_str).collect();
        let index = at.info.index_for(&names).cloned().ok_or_else(|| {
            let fields = if names.is_empty() {
                "no plain field".to_owned()
            } else {
                names.join(", ")
            };
            at.refuse(format!(
                "finds by {fields}, and none of them is an index of dataset {:?} (indexed: {}); import the dataset with --index {}",
                at.info.name,
                at.describe_indexes(),
                names.first().copied().unwrap_or("FIELD"),
            ))
        })?;
        let mut wanted: Vec<Vec<(RecordPath, Value)>> = Vec::with_capacity(rows.len());
        let mut keys: Vec<String> = Vec::new();
        let mut key_of_row: Vec<Option<usize>> = Vec::with_capacity(rows.len());
        let mut key_positions: HashMap<String, usize> = HashMap::new();
        for &row in rows {
            let resolved = find
                .iter()
                .map(|(path, value)| {
                    let value = value
                        .resolve(
                            |id| self.fields.value(id, row),
                            |id| self.fields.is_number(id),
                        )
                        .map_err(|missing| {
                            at.refuse(format!(
                                "reads {{{missing}}}, which the annotation does not have"
                            ))
                        })?;
                    Ok((path.clone(), value))
                })
                .collect::<Result<Vec<_>, MatchingError>>()?;
            let parts: Option<Vec<&Value>> = index
                .fields()
                .iter()
                .map(|field| {
                    dotted
                        .iter()
                        .position(|d| d.as_deref() == Some(field))
                        .map(|i| &resolved[i].1)
                })
                .collect();
            let key = parts.and_then(|parts| index_key(&parts));
            key_of_row.push(key.map(|key| {
                let next = keys.len();
                *key_positions.entry(key.clone()).or_insert_with(|| {
                    keys.push(key);
                    next
                })
            }));
            wanted.push(resolved);
        }
        let found = if keys.is_empty() {
            Vec::new()
        } else {
            self.answer.store_calls += 1;
            self.store.find(at.info, &index, &keys).await?
        };
        Ok(key_of_row
            .into_iter()
            .zip(wanted)
            .map(|(key, fields)| {
                key.and_then(|k| found.get(k))
                    .map(|records| {
                        records
                            .iter()
                            .filter(|stored| record_matches(&stored.record, &fields))
                            .map(|stored| Arc::clone(&stored.record))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect())
    }

    /// Our fuzzy query for each row: candidates by name blocks (one store call for the
    /// distinct values), ranked by trigram similarity, best first, ties in dataset order.
    async fn fuzzy(
        &mut self,
        at: &QueryAt<'_>,
        field: &RecordPath,
        value: &matching_config::Template,
        threshold: f64,
        rows: &[Option<RowRef>],
    ) -> Result<Vec<Vec<Arc<Value>>>, MatchingError> {
        let field = field
            .dotted()
            .filter(|f| at.info.has_fuzzy(f))
            .ok_or_else(|| {
                at.refuse(format!(
                    "is a fuzzy query on a field dataset {:?} is not fuzzy-indexed by (fuzzy-indexed: {}); import the dataset with --fuzzy-index FIELD",
                    at.info.name,
                    if at.info.fuzzy_fields.is_empty() { "none".to_owned() } else { at.info.fuzzy_fields.join(", ") },
                ))
            })?;
        let mut texts: Vec<String> = Vec::new();
        let mut text_of_row: Vec<Option<usize>> = Vec::with_capacity(rows.len());
        for &row in rows {
            let text = value
                .render(|id| self.fields.value(id, row))
                .map_err(|missing| {
                    at.refuse(format!(
                        "reads {{{missing}}}, which the annotation does not have"
                    ))
                })?;
            if text.trim().is_empty() {
                text_of_row.push(None);
                continue;
            }
            let position = texts.iter().position(|t| *t == text).unwrap_or_else(|| {
                texts.push(text);
                texts.len() - 1
            });
            text_of_row.push(Some(position));
        }
        let found = if texts.is_empty() {
            Vec::new()
        } else {
            self.answer.store_calls += 1;
            self.store.fuzzy_candidates(at.info, &field, &texts).await?
        };
        Ok(text_of_row
            .into_iter()
            .map(|position| {
                let Some(p) = position else {
                    return Vec::new();
                };
                let mut ranked: Vec<(f64, u64, &Arc<Value>)> = found
                    .get(p)
                    .into_iter()
                    .flatten()
                    .map(|stored| {
                        let score =
                            name_similarity(&texts[p], &fuzzy_field_text(&stored.record, &field));
                        (score, stored.position, &stored.record)
                    })
                    .filter(|(score, _, _)| *score >= threshold)
                    .collect();
                ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                ranked
                    .into_iter()
                    .map(|(_, _, record)| Arc::clone(record))
                    .collect()
            })
            .collect())
    }

    /// Sets the row's targets from its records as the result actions say.
    fn apply(&mut self, config: &Configuration, row: Option<RowRef>, records: Vec<Arc<Value>>) {
        let Some(target) = self.fields.node(&config.mapping.target_schema_id, row) else {
            return;
        };
        let actions = &config.result_actions;
        let action = match records.len() {
            0 => &actions.no_match_found,
            1 => &actions.one_match_found,
            _ => &actions.multiple_matches_found,
        };
        let chosen = match action.select {
            Select::BestMatch => records.first(),
            Select::Default => None,
        };
        let mapping = &config.mapping;
        let mut options: Vec<EnumOption> = Vec::new();
        let value = match chosen {
            Some(record) => mapping.dataset_key.text(record),
            None => {
                let default = &config.default;
                // An empty default is "nothing selected", not a choice to offer.
                if !default.value.is_empty() {
                    let label = if default.label.is_empty() {
                        default.value.clone()
                    } else {
                        default.label.clone()
                    };
                    options.push(EnumOption {
                        value: default.value.clone(),
                        label,
                    });
                }
                default.value.clone()
            }
        };
        for record in &records {
            if options.len() >= config.max_options {
                break;
            }
            let option_value = mapping.dataset_key.text(record);
            if options.iter().any(|o| o.value == option_value) {
                continue;
            }
            options.push(EnumOption {
                label: mapping.label.render(record, &option_value),
                value: option_value,
            });
        }
        self.set(target, value, options);
        for extra in &config.additional_mappings {
            let Some(node) = self.fields.node(&extra.target_schema_id, row) else {
                continue;
            };
            match chosen {
                Some(record) => {
                    let value = extra.dataset_key.text(record);
                    let label = extra.label.render(record, &value);
                    self.set(node, value.clone(), vec![EnumOption { value, label }]);
                }
                None => self.set(node, String::new(), Vec::new()),
            }
        }
        if let Some(message) = &action.message {
            let kind = match message.kind.as_str() {
                "error" => MessageType::Error,
                "warning" => MessageType::Warning,
                _ => MessageType::Info,
            };
            let shown = Message::new(kind, Some(target.id), message.content.clone());
            if kind == MessageType::Error && self.annotation.trigger == Trigger::Initialize {
                self.answer.automation_blockers.push(AutomationBlocker {
                    id: Some(target.id),
                    content: shown.content.clone(),
                });
            }
            self.answer.messages.push(shown);
        }
    }

    /// `action_condition` is false: the targets are emptied, with no options and no message.
    fn reset(&mut self, config: &Configuration, row: Option<RowRef>) {
        for id in config.targets() {
            if let Some(node) = self.fields.node(id, row) {
                self.set(node, String::new(), Vec::new());
            }
        }
    }

    /// Replaces the datapoint's value and options, unless it already holds them (a replace
    /// the user does not need can overwrite their work).
    fn set(&mut self, node: &'a Node, value: String, options: Vec<EnumOption>) {
        if self.fields.current_value(node) == value && self.fields.current_options(node) == options
        {
            return;
        }
        let operation = Operation::Replace {
            id: node.id,
            value: ReplaceValue {
                content: Some(ValueContent {
                    value: value.clone(),
                }),
                options: Some(options.clone()),
                ..ReplaceValue::default()
            },
        };
        match self.replaced.get(&node.id) {
            Some(&i) => self.answer.operations[i] = operation,
            None => {
                self.replaced.insert(node.id, self.answer.operations.len());
                self.answer.operations.push(operation);
            }
        }
        self.fields.set(node, value, options);
    }
}

/// A query being run, for the errors that name it.
struct QueryAt<'q> {
    config: &'q Configuration,
    query_index: usize,
    info: &'q DatasetInfo,
}

impl QueryAt<'_> {
    fn refuse(&self, what: String) -> MatchingError {
        MatchingError::Configuration(format!(
            "{}: source.queries[{}] {what}",
            self.config.label, self.query_index
        ))
    }

    fn describe_indexes(&self) -> String {
        if self.info.indexes.is_empty() {
            return "nothing".to_owned();
        }
        self.info
            .indexes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}
