//! The table's DynamoDB stream in the local stand-in, and Lambda's stream event source mapping
//! played by hand: the records the stand-in serves (`GetRecords`, through the DynamoDB Streams
//! JSON protocol, as no SDK crate of it is a dependency here) are handed to the function as the
//! event Lambda builds of them
//! (<https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html>): `{"Records": [...]}`, each
//! record as `GetRecords` gives it, with `eventSourceARN` and `awsRegion` added.

use std::collections::HashMap;

use aws_lambda_events::event::dynamodb::Event;
use serde_json::{Value, json};

use crate::{Error, local_endpoint};

/// Reads one table's stream from where it was last read, shard by shard.
pub struct TableStream {
    http: reqwest::Client,
    endpoint: String,
    stream_arn: String,
    /// The table's region (the stream's ARN names it).
    region: String,
    /// Each shard's next iterator.
    iterators: HashMap<String, String>,
}

impl TableStream {
    /// The stream of `table` (created with the template's `StreamSpecification`), from its
    /// start.
    pub async fn open(dynamodb: &aws_sdk_dynamodb::Client, table: &str) -> Result<Self, Error> {
        let stream_arn = dynamodb
            .describe_table()
            .table_name(table)
            .send()
            .await?
            .table
            .and_then(|table| table.latest_stream_arn)
            .ok_or("the table has no stream")?;
        let region = stream_arn
            .split(':')
            .nth(3)
            .ok_or("a stream ARN names its region")?
            .to_owned();
        Ok(Self {
            http: reqwest::Client::new(),
            endpoint: local_endpoint(),
            region,
            stream_arn,
            iterators: HashMap::new(),
        })
    }

    async fn call(&self, operation: &str, body: Value) -> Result<Value, Error> {
        let answer = self
            .http
            .post(&self.endpoint)
            .header("content-type", "application/x-amz-json-1.0")
            .header(
                "x-amz-target",
                format!("DynamoDBStreams_20120810.{operation}"),
            )
            // The stand-in reads the region from the signature's scope; it checks no signature.
            .header(
                "authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential=test/20261201/{}/dynamodb/aws4_request, \
                     SignedHeaders=host, Signature=0",
                    self.region
                ),
            )
            .body(body.to_string())
            .send()
            .await?;
        let status = answer.status();
        let text = answer.text().await?;
        if !status.is_success() {
            return Err(format!("{operation}: {status} {text}").into());
        }
        Ok(serde_json::from_str(&text)?)
    }

    /// Every record written since the last call, as one event of Lambda's.
    pub async fn next_event(&mut self) -> Result<Event, Error> {
        let described = self
            .call("DescribeStream", json!({"StreamArn": self.stream_arn}))
            .await?;
        let shards: Vec<String> = described["StreamDescription"]["Shards"]
            .as_array()
            .ok_or("no shards")?
            .iter()
            .filter_map(|shard| shard["ShardId"].as_str().map(str::to_owned))
            .collect();
        let mut records = Vec::new();
        for shard in shards {
            let iterator = match self.iterators.get(&shard) {
                Some(iterator) => iterator.clone(),
                None => self
                    .call(
                        "GetShardIterator",
                        json!({"StreamArn": self.stream_arn, "ShardId": shard,
                               "ShardIteratorType": "TRIM_HORIZON"}),
                    )
                    .await?["ShardIterator"]
                    .as_str()
                    .ok_or("no shard iterator")?
                    .to_owned(),
            };
            let page = self
                .call("GetRecords", json!({"ShardIterator": iterator}))
                .await?;
            for record in page["Records"].as_array().cloned().unwrap_or_default() {
                let mut record = record;
                record["eventSourceARN"] = json!(self.stream_arn);
                record["awsRegion"] = json!(self.region);
                records.push(record);
            }
            if let Some(next) = page["NextShardIterator"].as_str() {
                self.iterators.insert(shard, next.to_owned());
            }
        }
        Ok(serde_json::from_value(json!({ "Records": records }))?)
    }
}
