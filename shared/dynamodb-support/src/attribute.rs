//! Item attributes, written ([`s`], [`n`]) and read back ([`Attributes`]).

use std::collections::HashMap;
use std::str::FromStr;

use aws_sdk_dynamodb::types::AttributeValue;
use unavailable::Unavailable;

/// A DynamoDB item, as the SDK reads and writes it.
pub type Item = HashMap<String, AttributeValue>;

/// The partition key of every table here (a string).
pub const PK: &str = "pk";
/// The sort key of every table here (a string).
pub const SK: &str = "sk";

/// A string attribute.
pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute, as Rust prints the number.
pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The attributes of an item read by one store: an attribute of the wrong type, or a
/// required one missing, is an [`Unavailable`] of that store (the item does not read back as
/// written). An absent attribute, or a `NULL` where a string is expected, reads as `None`.
#[derive(Debug, Clone, Copy)]
pub struct Attributes<'a> {
    dependency: &'static str,
    item: &'a Item,
}

impl<'a> Attributes<'a> {
    /// The attributes of `item`, read by the store `dependency` ("records", ...).
    pub fn of(dependency: &'static str, item: &'a Item) -> Self {
        Self { dependency, item }
    }

    /// The item itself.
    pub fn item(&self) -> &'a Item {
        self.item
    }

    /// A failure of this store to read the item.
    pub fn error(&self, reason: impl Into<String>) -> Unavailable {
        Unavailable::new(self.dependency, reason)
    }

    /// A string attribute.
    pub fn text(&self, name: &str) -> Result<Option<String>, Unavailable> {
        match self.item.get(name) {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(AttributeValue::S(value)) => Ok(Some(value.clone())),
            Some(other) => Err(self.error(format!("attribute {name} is {other:?}, not a string"))),
        }
    }

    /// A string attribute the item must have.
    pub fn required_text(&self, name: &str) -> Result<String, Unavailable> {
        self.text(name)?.ok_or_else(|| self.missing(name))
    }

    /// A number attribute, parsed as `T`.
    pub fn number<T: FromStr>(&self, name: &str) -> Result<Option<T>, Unavailable> {
        match self.item.get(name) {
            None => Ok(None),
            Some(AttributeValue::N(value)) => value
                .parse()
                .map(Some)
                .map_err(|_| self.error(format!("attribute {name} holds {value:?}"))),
            Some(other) => Err(self.error(format!("attribute {name} is {other:?}, not a number"))),
        }
    }

    /// A number attribute the item must have, parsed as `T`.
    pub fn required_number<T: FromStr>(&self, name: &str) -> Result<T, Unavailable> {
        self.number(name)?.ok_or_else(|| self.missing(name))
    }

    /// A boolean attribute; absent reads as `false`.
    pub fn flag(&self, name: &str) -> Result<bool, Unavailable> {
        match self.item.get(name) {
            None => Ok(false),
            Some(AttributeValue::Bool(value)) => Ok(*value),
            Some(other) => Err(self.error(format!("attribute {name} is {other:?}, not a boolean"))),
        }
    }

    fn missing(&self, name: &str) -> Unavailable {
        self.error(format!("item without attribute {name}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> Item {
        Item::from([
            ("name".to_owned(), s("Müller")),
            ("empty".to_owned(), s("")),
            ("count".to_owned(), n(42)),
            ("amount".to_owned(), n(-12.5)),
            ("big".to_owned(), n(u64::MAX)),
            ("flag".to_owned(), AttributeValue::Bool(true)),
            ("nothing".to_owned(), AttributeValue::Null(true)),
            (
                "bad_number".to_owned(),
                AttributeValue::N("twelve".to_owned()),
            ),
        ])
    }

    #[test]
    fn values_are_written_as_dynamodb_expects_them() {
        assert_eq!(s("x"), AttributeValue::S("x".to_owned()));
        assert_eq!(s(String::from("x")), AttributeValue::S("x".to_owned()));
        assert_eq!(n(4480712u64), AttributeValue::N("4480712".to_owned()));
        assert_eq!(n(3085.08), AttributeValue::N("3085.08".to_owned()));
        assert_eq!(n(-1i64), AttributeValue::N("-1".to_owned()));
    }

    #[test]
    fn attributes_read_back_as_written() {
        let item = item();
        let read = Attributes::of("records", &item);
        assert_eq!(read.text("name").unwrap().as_deref(), Some("Müller"));
        assert_eq!(read.text("empty").unwrap().as_deref(), Some(""));
        assert_eq!(read.required_text("name").unwrap(), "Müller");
        assert_eq!(read.number::<u32>("count").unwrap(), Some(42));
        assert_eq!(read.number::<f64>("amount").unwrap(), Some(-12.5));
        assert_eq!(read.required_number::<u64>("big").unwrap(), u64::MAX);
        assert!(read.flag("flag").unwrap());
        assert!(std::ptr::eq(read.item(), &item));
    }

    #[test]
    fn absent_attributes_read_as_none_and_required_ones_are_errors() {
        let item = item();
        let read = Attributes::of("records", &item);
        assert_eq!(read.text("absent").unwrap(), None);
        assert_eq!(read.text("nothing").unwrap(), None);
        assert_eq!(read.number::<u32>("absent").unwrap(), None);
        assert!(!read.flag("absent").unwrap());
        let err = read.required_text("absent").unwrap_err();
        assert_eq!(err.dependency, "records");
        assert_eq!(err.reason, "item without attribute absent");
        let err = read.required_number::<u32>("absent").unwrap_err();
        assert_eq!(err.reason, "item without attribute absent");
    }

    #[test]
    fn attributes_of_another_type_are_errors_of_the_store_reading_them() {
        let item = item();
        let read = Attributes::of("contract.fit store", &item);
        let err = read.text("count").unwrap_err();
        assert_eq!(err.dependency, "contract.fit store");
        assert!(
            err.reason.contains("count") && err.reason.contains("not a string"),
            "{err}"
        );
        let err = read.number::<u32>("name").unwrap_err();
        assert!(err.reason.contains("not a number"), "{err}");
        let err = read.number::<u32>("nothing").unwrap_err();
        assert!(err.reason.contains("not a number"), "{err}");
        let err = read.number::<u32>("bad_number").unwrap_err();
        assert_eq!(err.reason, "attribute bad_number holds \"twelve\"");
        assert!(read.number::<u8>("count").is_ok());
        assert!(
            read.number::<u8>("big").is_err(),
            "a number too large for the type"
        );
        assert!(
            read.number::<u32>("amount").is_err(),
            "a fraction for an integer"
        );
        let err = read.flag("name").unwrap_err();
        assert!(err.reason.contains("not a boolean"), "{err}");
    }
}
