//! A webhook function is a value: a [`Function`] names it, says where it is served and for
//! which platform, and builds its [`Endpoint`] from the shared [`Dependencies`]. A function's
//! Lambda binary is one call, `lambda_main(&ITS_FUNCTION)`; the local server builds the same
//! endpoints from the same values, with its own dependencies.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use contractfit_store::{ContractFitStore, UnavailableContractFitStore};
use dataset_store::{DatasetStore, UnavailableDatasetStore};
use idempotency::{IdempotencyStore, KeyFn};
use inkit_client::InkitApi;
use record_store::{InkitRecordStore, RecordStore, UnavailableRecordStore};
use vendor_matching::{UnavailableVendorStore, VendorStore};
use webhook_endpoint::{
    Body, Delivery, Endpoint, EndpointConfig, Response, SecretSource, Verifier, WebhookError,
    env_names,
};
use webhook_model::inkit::InkitEventType;

pub use webhook_endpoint::LambdaError;

/// One webhook function: the registry entry the local server serves and lists, and what its
/// Lambda binary runs.
pub struct Function {
    /// The function's name: its Lambda binary, its sample `events/<name>.json`.
    pub name: &'static str,
    /// The HTTP API path it is served at.
    pub route: &'static str,
    pub platform: Platform,
    /// How a retry of a delivery is recognised: a function with a key serves behind the
    /// idempotency guard (a redelivery is answered from the stored answer and changes
    /// nothing); `None` for one that only reads and is never retried.
    pub idempotency_key: Option<KeyFn>,
    /// What a delivery leaves in the records table, as the registry lists it.
    pub stores: &'static str,
    /// Builds the endpoint from the shared configuration and dependencies.
    pub endpoint: fn(&EndpointConfig, &Dependencies) -> Endpoint,
}

impl Function {
    pub fn build(&self, config: &EndpointConfig, dependencies: &Dependencies) -> Endpoint {
        (self.endpoint)(config, dependencies)
    }

    /// How this function's deliveries are verified: as its platform signs them.
    pub fn verifier(&self, config: &EndpointConfig) -> Verifier {
        match &self.platform {
            Platform::Rossum => Verifier::Rossum(config.rossum.clone()),
            Platform::Inkit(event_type) => Verifier::Inkit(config.inkit_for(event_type)),
            Platform::ContractFit => Verifier::ContractFit(config.contractfit.clone()),
        }
    }

    /// Whether its deliveries pass the idempotency guard.
    pub fn guarded(&self) -> bool {
        self.idempotency_key.is_some()
    }

    /// `handler` served as this function: at its route, verified as its platform signs, the
    /// body bounded by the configured limit and, for a guarded function, behind the
    /// idempotency guard (its records in `dependencies`' idempotency store): a retry replays
    /// the stored answer instead of running `handler` again.
    pub fn serve<F, Fut>(
        &self,
        config: &EndpointConfig,
        dependencies: &Dependencies,
        handler: F,
    ) -> Endpoint
    where
        F: Fn(Delivery) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response<Body>, WebhookError>> + Send + 'static,
    {
        match self.idempotency_key {
            Some(key) => {
                let store = dependencies.idempotency();
                self.serve_unguarded(config, idempotency::guarded(store, self.name, key, handler))
            }
            None => self.serve_unguarded(config, handler),
        }
    }

    /// [`Function::serve`] of `handler` given its own clone of `state` (the stores it was
    /// built from) with each delivery.
    pub fn serve_with<S, H, Fut>(
        &self,
        config: &EndpointConfig,
        dependencies: &Dependencies,
        state: S,
        handler: H,
    ) -> Endpoint
    where
        S: Clone + Send + Sync + 'static,
        H: Fn(Delivery, S) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response<Body>, WebhookError>> + Send + 'static,
    {
        self.serve(config, dependencies, move |delivery| {
            handler(delivery, state.clone())
        })
    }

    fn serve_unguarded<F, Fut>(&self, config: &EndpointConfig, handler: F) -> Endpoint
    where
        F: Fn(Delivery) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response<Body>, WebhookError>> + Send + 'static,
    {
        Endpoint::new(self.name, self.route, self.verifier(config), handler)
            .with_max_body_bytes(config.max_body_bytes)
    }
}

/// A function that no route serves: an event source drives it on AWS, and the local server
/// does its work in-process.
pub struct Worker {
    pub name: &'static str,
    /// Whose deliveries it works on; `None`: every platform's.
    pub platform: Option<Platform>,
    /// What drives it on AWS.
    pub source: &'static str,
}

/// Who calls a function, and so how its deliveries are verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Platform {
    Rossum,
    /// One Inkit webhook: Inkit gives each its own secret, named after its event.
    Inkit(InkitEventType),
    ContractFit,
}

impl Platform {
    pub fn name(&self) -> &'static str {
        match self {
            Platform::Rossum => "rossum",
            Platform::Inkit(_) => "inkit",
            Platform::ContractFit => "contractfit",
        }
    }

    /// The platform's secret in Secrets Manager (its ARN variable is set), and which part of
    /// it is this function's.
    fn secret_in_store(&self) -> Option<(String, secret_store::Part)> {
        let (variable, part) = match self {
            Platform::Rossum => (env_names::ROSSUM_SECRET_ARN, secret_store::Part::Whole),
            Platform::Inkit(event_type) => (
                env_names::INKIT_SECRET_ARN,
                secret_store::Part::Key(event_type.as_str().to_owned()),
            ),
            Platform::ContractFit => (env_names::CONTRACTFIT_TOKEN_ARN, secret_store::Part::Whole),
        };
        Some((dynamodb_support::non_empty_env(variable)?, part))
    }

    /// Logs, at start-up, which of this platform's secrets are missing or in rotation.
    fn log_startup_findings(&self, config: &EndpointConfig) {
        match self {
            Platform::Rossum => config.log_startup_findings(&[env_names::ROSSUM_SECRET]),
            Platform::Inkit(event_type) => config.log_inkit_startup_findings(event_type),
            Platform::ContractFit => config.log_startup_findings(&[env_names::CONTRACTFIT_TOKEN]),
        }
    }
}

/// Where work that outlives a request is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    /// By the functions AWS event sources drive (the records table's stream).
    EventSources,
    /// In this process, with retries: the local server, which has no event sources.
    InProcess,
}

enum Source {
    /// Built from the environment on first use, through the process's one DynamoDB client.
    Environment(aws_sdk_dynamodb::Client),
    /// Only what was given; anything else is unavailable.
    Given,
}

/// What functions are built from: the stores and the Inkit API client. Each is built on
/// first use only, so a function's binary links and starts only what it uses, and a missing
/// variable is reported by the functions that need it.
pub struct Dependencies {
    source: Source,
    background: Background,
    vendors: OnceLock<Arc<dyn VendorStore>>,
    datasets: OnceLock<Arc<dyn DatasetStore>>,
    records: OnceLock<Arc<dyn RecordStore>>,
    inkit_records: OnceLock<Arc<dyn InkitRecordStore>>,
    inkit_api: OnceLock<Arc<dyn InkitApi>>,
    contractfit: OnceLock<Arc<dyn ContractFitStore>>,
    idempotency: OnceLock<Arc<dyn IdempotencyStore>>,
}

impl Dependencies {
    /// A Lambda function's: the tables and the Inkit API the environment names, with its
    /// background work done by event sources.
    pub fn from_environment(client: aws_sdk_dynamodb::Client) -> Self {
        Self::with_source(Source::Environment(client), Background::EventSources)
    }

    /// Only the dependencies set with the `with_*` methods; any other is unavailable.
    pub fn given(background: Background) -> Self {
        Self::with_source(Source::Given, background)
    }

    fn with_source(source: Source, background: Background) -> Self {
        Self {
            source,
            background,
            vendors: OnceLock::new(),
            datasets: OnceLock::new(),
            records: OnceLock::new(),
            inkit_records: OnceLock::new(),
            inkit_api: OnceLock::new(),
            contractfit: OnceLock::new(),
            idempotency: OnceLock::new(),
        }
    }

    pub fn with_vendors(self, store: Arc<dyn VendorStore>) -> Self {
        let _ = self.vendors.set(store);
        self
    }

    pub fn with_datasets(self, store: Arc<dyn DatasetStore>) -> Self {
        let _ = self.datasets.set(store);
        self
    }

    pub fn with_records(self, store: Arc<dyn RecordStore>) -> Self {
        let _ = self.records.set(store);
        self
    }

    pub fn with_inkit_records(self, store: Arc<dyn InkitRecordStore>) -> Self {
        let _ = self.inkit_records.set(store);
        self
    }

    pub fn with_inkit_api(self, api: Arc<dyn InkitApi>) -> Self {
        let _ = self.inkit_api.set(api);
        self
    }

    pub fn with_contractfit(self, store: Arc<dyn ContractFitStore>) -> Self {
        let _ = self.contractfit.set(store);
        self
    }

    pub fn with_idempotency(self, store: Arc<dyn IdempotencyStore>) -> Self {
        let _ = self.idempotency.set(store);
        self
    }

    pub fn background(&self) -> Background {
        self.background
    }

    /// The vendor master data (`VENDOR_TABLE`).
    pub fn vendors(&self) -> Arc<dyn VendorStore> {
        self.vendors
            .get_or_init(|| match &self.source {
                Source::Environment(client) => master_data_store::vendor_store_from_env(client),
                Source::Given => Arc::new(UnavailableVendorStore::new(not_given("vendor store"))),
            })
            .clone()
    }

    /// The master-data datasets (`VENDOR_TABLE`, beside the vendors).
    pub fn datasets(&self) -> Arc<dyn DatasetStore> {
        self.datasets
            .get_or_init(|| match &self.source {
                Source::Environment(client) => master_data_store::dataset_store_from_env(client),
                Source::Given => Arc::new(UnavailableDatasetStore::new(not_given("dataset store"))),
            })
            .clone()
    }

    /// The records table (`RECORDS_TABLE`) as the Rossum functions write it.
    pub fn records(&self) -> Arc<dyn RecordStore> {
        self.records
            .get_or_init(|| match &self.source {
                Source::Environment(client) => record_store::record_store_from_env(client),
                Source::Given => Arc::new(unavailable_records("records store")),
            })
            .clone()
    }

    /// The records table as the Inkit functions write it.
    pub fn inkit_records(&self) -> Arc<dyn InkitRecordStore> {
        self.inkit_records
            .get_or_init(|| match &self.source {
                Source::Environment(client) => record_store::inkit_record_store_from_env(client),
                Source::Given => Arc::new(unavailable_records("Inkit records store")),
            })
            .clone()
    }

    /// Inkit's API (`INKIT_API_URL`, `INKIT_API_TOKEN`, ...).
    pub fn inkit_api(&self) -> Arc<dyn InkitApi> {
        self.inkit_api
            .get_or_init(|| match &self.source {
                // Built here, on first use, so that only the binaries that call the Inkit
                // API link its client.
                Source::Environment(_) => {
                    match dynamodb_support::non_empty_env(env_names::INKIT_SECRET_ARN) {
                        // The Inkit secret's api_token, read at run time like the webhook keys.
                        Some(arn) => Arc::new(secret_store::InkitApiWithStoredToken::new(
                            secret_store::SecretsManager::from_env(),
                            &arn,
                            inkit_client::InkitConfig::from_env(),
                            secret_store::CachePolicy::from_env(),
                        )),
                        None => inkit_client::inkit_api_from_env(),
                    }
                }
                Source::Given => Arc::new(inkit_client::MisconfiguredInkitApi::new(not_given(
                    "Inkit API client",
                ))),
            })
            .clone()
    }

    /// The records table as the contract.fit functions write it.
    pub fn contractfit(&self) -> Arc<dyn ContractFitStore> {
        self.contractfit
            .get_or_init(|| match &self.source {
                Source::Environment(client) => {
                    contractfit_store::contractfit_store_from_env(client)
                }
                Source::Given => Arc::new(UnavailableContractFitStore::new(not_given(
                    "contract.fit store",
                ))),
            })
            .clone()
    }

    /// The guarded functions' idempotency records (the records table).
    pub fn idempotency(&self) -> Arc<dyn IdempotencyStore> {
        self.idempotency
            .get_or_init(|| match &self.source {
                Source::Environment(client) => record_store::idempotency_store_from_env(client),
                Source::Given => Arc::new(unavailable_records("idempotency store")),
            })
            .clone()
    }
}

fn not_given(what: &str) -> String {
    format!("no {what} was given to this server")
}

fn unavailable_records(what: &str) -> UnavailableRecordStore {
    UnavailableRecordStore::new(not_given(what))
}

/// The `main` of every function's Lambda binary: logs what start-up finds missing, builds the
/// endpoint from the environment and serves it through the Lambda Runtime API.
pub fn lambda_main(function: &Function) -> Result<(), LambdaError> {
    run_in_lambda(|dependencies| async move {
        let config = EndpointConfig::from_env(SecretSource::Environment);
        let endpoint = function.build(&config, &dependencies);
        let endpoint = match function.platform.secret_in_store() {
            Some((arn, part)) => {
                let store = secret_store::SecretsManager::from_env();
                let source = Arc::new(secret_store::CachedVerifier::new(
                    store,
                    &arn,
                    part,
                    endpoint.verifier().clone(),
                    secret_store::CachePolicy::from_env(),
                ));
                // Read during initialisation, so the first delivery does not wait for it;
                // a failure is logged and the first delivery reads again.
                let _ = webhook_endpoint::VerifierSource::current(source.as_ref()).await;
                endpoint.with_verifier_source(source)
            }
            None => {
                function.platform.log_startup_findings(&config);
                endpoint
            }
        };
        webhook_endpoint::run_lambda(endpoint).await
    })
}

/// What every Lambda binary's `main` starts with, then `run`: the process of
/// [`run_lambda_process`], and the dependencies the environment names, through the process's
/// one DynamoDB client.
pub fn run_in_lambda<F, Fut>(run: F) -> Result<(), LambdaError>
where
    F: FnOnce(Dependencies) -> Fut,
    Fut: Future<Output = Result<(), LambdaError>>,
{
    run_lambda_process(async {
        let client = dynamodb_support::shared_client_from_env().await;
        run(Dependencies::from_environment(client)).await
    })
}

/// Runs `main` as a Lambda binary's process: a one-thread runtime (a Lambda function
/// handles one event at a time), the log format, and metrics as EMF lines on stdout.
pub fn run_lambda_process(
    main: impl Future<Output = Result<(), LambdaError>>,
) -> Result<(), LambdaError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            webhook_endpoint::init_tracing();
            // Metrics go to stdout as EMF lines, which CloudWatch Logs extracts.
            emf_metrics::enable();
            main.await
        })
}
