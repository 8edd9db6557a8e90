//! Attribute values: building them, and reading stored items back into domain values, where
//! anything unexpected becomes `StoreError::Corrupt`.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;

use crate::domain::{Question, QuestionText};
use crate::ports::StoreError;

pub(super) type Item = HashMap<String, AttributeValue>;

pub(super) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(super) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(super) fn questions_attribute(questions: &[Question]) -> AttributeValue {
    AttributeValue::L(
        questions
            .iter()
            .map(|question| {
                let mut map = HashMap::from([("text".to_owned(), s(question.text.as_str()))]);
                if let Some(seconds) = question.think_time_seconds {
                    map.insert("thinkTimeSeconds".to_owned(), n(seconds));
                }
                if let Some(seconds) = question.answer_time_seconds {
                    map.insert("answerTimeSeconds".to_owned(), n(seconds));
                }
                AttributeValue::M(map)
            })
            .collect(),
    )
}

/// Reads attributes of a stored item, turning anything unexpected into `StoreError::Corrupt`.
pub(super) struct ItemReader<'a>(pub(super) &'a Item);

impl<'a> ItemReader<'a> {
    pub(super) fn string(&self, name: &str) -> Result<&'a str, StoreError> {
        self.optional_string(name)?
            .ok_or_else(|| StoreError::Corrupt(format!("missing attribute {name}")))
    }

    pub(super) fn optional_string(&self, name: &str) -> Result<Option<&'a str>, StoreError> {
        match self.0.get(name) {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(AttributeValue::S(value)) => Ok(Some(value)),
            Some(_) => Err(StoreError::Corrupt(format!(
                "attribute {name} is not a string"
            ))),
        }
    }

    pub(super) fn parsed<T, E: std::fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, StoreError> {
        parse(self.string(name)?).map_err(|error| StoreError::Corrupt(format!("{name}: {error}")))
    }

    pub(super) fn optional_parsed<T, E: std::fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, StoreError> {
        self.optional_string(name)?
            .map(|raw| parse(raw).map_err(|error| StoreError::Corrupt(format!("{name}: {error}"))))
            .transpose()
    }

    pub(super) fn bool(&self, name: &str) -> Result<bool, StoreError> {
        match self.0.get(name) {
            Some(AttributeValue::Bool(value)) => Ok(*value),
            _ => Err(StoreError::Corrupt(format!(
                "attribute {name} is not a boolean"
            ))),
        }
    }

    /// A number attribute that fits `T` (`u32`, `u64`), if present.
    pub(super) fn optional_number<T: std::str::FromStr>(
        &self,
        name: &str,
    ) -> Result<Option<T>, StoreError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(AttributeValue::N(value)) => value.parse().map(Some).map_err(|_| {
                StoreError::Corrupt(format!(
                    "attribute {name} is not a {}",
                    std::any::type_name::<T>()
                ))
            }),
            Some(_) => Err(StoreError::Corrupt(format!(
                "attribute {name} is not a number"
            ))),
        }
    }

    pub(super) fn map(&self, name: &str) -> Result<ItemReader<'a>, StoreError> {
        match self.0.get(name) {
            Some(AttributeValue::M(map)) => Ok(ItemReader(map)),
            _ => Err(StoreError::Corrupt(format!(
                "attribute {name} is not a map"
            ))),
        }
    }

    pub(super) fn optional_map(&self, name: &str) -> Result<Option<ItemReader<'a>>, StoreError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(_) => self.map(name).map(Some),
        }
    }

    pub(super) fn optional_bool(&self, name: &str) -> Result<bool, StoreError> {
        match self.0.get(name) {
            None => Ok(false),
            Some(_) => self.bool(name),
        }
    }

    pub(super) fn optional_timestamp(&self, name: &str) -> Result<Option<Timestamp>, StoreError> {
        self.optional_parsed(name, str::parse::<Timestamp>)
    }

    pub(super) fn questions(&self) -> Result<Vec<Question>, StoreError> {
        let Some(AttributeValue::L(list)) = self.0.get("questions") else {
            return Err(StoreError::Corrupt(
                "attribute questions is not a list".to_owned(),
            ));
        };
        list.iter()
            .map(|question| match question {
                AttributeValue::M(map) => {
                    let question = ItemReader(map);
                    Ok(Question {
                        text: QuestionText::from_stored(question.string("text")?),
                        think_time_seconds: question.optional_number::<u32>("thinkTimeSeconds")?,
                        answer_time_seconds: question
                            .optional_number::<u32>("answerTimeSeconds")?,
                    })
                }
                _ => Err(StoreError::Corrupt("a question is not a map".to_owned())),
            })
            .collect()
    }
}
