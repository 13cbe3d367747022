/// Where a verifier reads header values from. Names are looked up case-insensitively
/// (API Gateway HTTP APIs lowercase them; other front ends do not).
pub trait HeaderSource {
    /// The first value of the header `name` (given in lower case), as raw bytes.
    fn header_value(&self, name: &str) -> Option<&[u8]>;
}

impl HeaderSource for http::HeaderMap {
    fn header_value(&self, name: &str) -> Option<&[u8]> {
        // `HeaderMap` stores names lower-cased, so its lookup is already case-insensitive.
        self.get(name).map(|v| v.as_bytes())
    }
}

impl HeaderSource for [(&str, &str)] {
    fn header_value(&self, name: &str) -> Option<&[u8]> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_bytes())
    }
}

impl<const N: usize> HeaderSource for [(&str, &str); N] {
    fn header_value(&self, name: &str) -> Option<&[u8]> {
        self.as_slice().header_value(name)
    }
}
