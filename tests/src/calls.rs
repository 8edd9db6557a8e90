//! Which AWS operations a function's code really calls: an SDK interceptor on the clients a function
//! is built with records each request (service and operation, and for a DynamoDB transaction the
//! kind of each item). The template tests compare the record with each function's IAM policy;
//! the benchmark counts round trips with it.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::ConfigBag;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{Storable, StoreReplace};

/// One request as IAM sees it: `dynamodb:GetItem`, `ses:SendEmail`, `events:PutEvents`.
pub type IamAction = String;

/// One request: the IAM actions it needs (a transaction needs one per item kind) and when it ran.
#[derive(Debug, Clone)]
pub struct Call {
    pub actions: Vec<IamAction>,
    pub started: Instant,
    pub ended: Option<Instant>,
}

/// The requests made through the clients it is attached to, in order.
#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<Vec<Call>>>);

/// Which entry of the log the request in flight is (kept in the request's own config bag).
#[derive(Debug, Clone, Copy)]
struct CallIndex(usize);

impl Storable for CallIndex {
    type Storer = StoreReplace<Self>;
}

impl CallLog {
    /// Each request, as the IAM actions it needs (a transaction needs one per item kind).
    pub fn requests(&self) -> Vec<Vec<IamAction>> {
        self.calls().into_iter().map(|call| call.actions).collect()
    }

    pub fn calls(&self) -> Vec<Call> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many round trips one after the other the recorded requests took: a request that starts
    /// while an earlier one is still running shares its round.
    pub fn sequential_rounds(&self) -> usize {
        let mut calls = self.calls();
        calls.sort_by_key(|call| call.started);
        let mut rounds = 0;
        let mut busy_until: Option<Instant> = None;
        for call in calls {
            let ended = call.ended.unwrap_or(call.started);
            match busy_until {
                Some(until) if call.started < until => busy_until = Some(until.max(ended)),
                _ => {
                    rounds += 1;
                    busy_until = Some(ended);
                }
            }
        }
        rounds
    }

    /// Every IAM action the recorded requests needed.
    pub fn iam_actions(&self) -> BTreeSet<IamAction> {
        self.requests().into_iter().flatten().collect()
    }

    pub fn clear(&self) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    pub fn dynamodb(&self, sdk: &SdkConfig) -> aws_sdk_dynamodb::Client {
        client_with!(aws_sdk_dynamodb, sdk, |builder| builder
            .interceptor(self.clone()))
    }

    pub fn sesv2(&self, sdk: &SdkConfig) -> aws_sdk_sesv2::Client {
        client_with!(aws_sdk_sesv2, sdk, |builder| builder
            .interceptor(self.clone()))
    }

    pub fn secretsmanager(&self, sdk: &SdkConfig) -> aws_sdk_secretsmanager::Client {
        client_with!(aws_sdk_secretsmanager, sdk, |builder| builder
            .interceptor(self.clone()))
    }

    pub fn eventbridge(&self, sdk: &SdkConfig) -> aws_sdk_eventbridge::Client {
        client_with!(aws_sdk_eventbridge, sdk, |builder| builder
            .interceptor(self.clone()))
    }

    pub fn sqs(&self, sdk: &SdkConfig) -> aws_sdk_sqs::Client {
        client_with!(aws_sdk_sqs, sdk, |builder| builder
            .interceptor(self.clone()))
    }
}

/// The IAM prefix of an SDK service name.
fn iam_prefix(service: &str) -> &str {
    match service {
        "DynamoDB" => "dynamodb",
        "SESv2" => "ses",
        "EventBridge" => "events",
        "Secrets Manager" => "secretsmanager",
        "SQS" => "sqs",
        other => other,
    }
}

/// The IAM action of an operation: SQS authorizes its batch operations as the single ones
/// (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html>).
fn iam_action(operation: &str) -> &str {
    match operation {
        "SendMessageBatch" => "SendMessage",
        "DeleteMessageBatch" => "DeleteMessage",
        "ChangeMessageVisibilityBatch" => "ChangeMessageVisibility",
        other => other,
    }
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "CallLog"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let metadata = cfg
            .load::<Metadata>()
            .ok_or("the SDK put no operation metadata in the config bag")?;
        let prefix = iam_prefix(metadata.service());
        // IAM authorizes a transaction by the actions of its items, not by TransactWriteItems.
        let actions = match context.input().downcast_ref::<TransactWriteItemsInput>() {
            Some(transaction) => transaction
                .transact_items()
                .iter()
                .map(|item| {
                    let action = if item.put.is_some() {
                        "PutItem"
                    } else if item.update.is_some() {
                        "UpdateItem"
                    } else if item.delete.is_some() {
                        "DeleteItem"
                    } else {
                        "ConditionCheckItem"
                    };
                    format!("{prefix}:{action}")
                })
                .collect(),
            None => vec![format!("{prefix}:{}", iam_action(metadata.name()))],
        };
        let mut log = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        cfg.interceptor_state().store_put(CallIndex(log.len()));
        log.push(Call {
            actions,
            started: Instant::now(),
            ended: None,
        });
        Ok(())
    }

    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(CallIndex(index)) = cfg.load::<CallIndex>().copied()
            && let Some(call) = self
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get_mut(index)
        {
            call.ended = Some(Instant::now());
        }
        Ok(())
    }
}
