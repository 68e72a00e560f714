//! String enums that keep values they do not know.
//!
//! The API adds statuses and types over time; a client that fails on a new one breaks for every
//! user at once. `open_enum!` generates an enum with the documented values plus `Other(String)`,
//! (de)serialized as the wire string. Deserialization never fails on a string, and numbers or
//! booleans are kept as `Other` with their text.

/// Generates an open string enum. Each variant lists its wire name and optional aliases.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this client does not know (kept verbatim).
            Other(String),
        }

        impl $name {
            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Other(other) => other.as_str(),
                }
            }

            /// Parses a wire string; unknown values become `Other`. Matching ignores ASCII case.
            pub fn from_wire(value: &str) -> Self {
                $(
                    if value.eq_ignore_ascii_case($wire) $(|| value.eq_ignore_ascii_case($alias))* {
                        return $name::$variant;
                    }
                )+
                $name::Other(value.to_owned())
            }

            /// True when the value is one this client knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        // Compares with the wire string (`status == "thinking"`).
        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name::from_wire(s))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        // In TypeScript: the documented values, or any other string (the API may add values).
        #[cfg(feature = "specta")]
        const _: () = {
            mod wire {
                #[derive(::serde::Serialize, ::specta::Type)]
                #[specta(inline)]
                #[allow(dead_code)]
                pub enum Known {
                    $( #[serde(rename = $wire)] $variant, )+
                }

                #[derive(::serde::Serialize, ::specta::Type)]
                #[serde(untagged)]
                #[allow(dead_code)]
                pub enum $name {
                    Known(Known),
                    Other(String),
                }
            }

            impl ::specta::Type for $name {
                fn definition(types: &mut ::specta::Types) -> ::specta::datatype::DataType {
                    <wire::$name as ::specta::Type>::definition(types)
                }
            }
        };

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer
                    .deserialize_any($crate::models::open_enum::WireStringVisitor)
                    .map(|wire| $name::from_wire(&wire))
            }
        }
    };
}

pub(crate) use open_enum;

/// Accepts any scalar as a string so an enum field never fails to decode on a surprising type.
pub(crate) struct WireStringVisitor;

impl serde::de::Visitor<'_> for WireStringVisitor {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }

    // A null where a value is required becomes `Other("")`: "unknown", not a decode failure.
    fn visit_unit<E: serde::de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
}
