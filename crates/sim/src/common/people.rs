//! Deterministic people and companies from a seed and an index, shared by both simulators'
//! data generators.
//!
//! `person(seed, i, companies)` and `company(seed, i)` are pure functions: the same arguments give
//! the same record on every machine and in every run, and they do not depend on other indexes
//! having been generated. That is what lets the Salesforce and the Desk generators produce an
//! "overlap" (the same person on both sides, for dedup tests) by calling them with the same index.
//!
//! The data is deliberately awkward, with fixed rules so tests can find the cases:
//! - companies: index `i % 10 == 3` repeats company `i - 1`'s name in a different letter case,
//!   `i % 10 == 6` repeats company `i - 1`'s name with different spacing, `i % 10 == 8` is Chinese;
//!   all other names are distinct;
//! - people: `i % 12 == 5` has no email; `i % 15 == 7` uses [`shared_email`] (several people share
//!   it); `i % 20 == 11` has no first name; `i % 9 == 4` has a Chinese name; other names draw from
//!   a pool with accents and apostrophes. Other emails are unique (they embed the index).

/// A generated company.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Company {
    /// The index it was generated from.
    pub index: usize,
    /// Display name (see the module doc for its quirks).
    pub name: String,
    /// Mail domain of its people, unique per index.
    pub domain: String,
    /// `https://www.<domain>`.
    pub website: String,
    /// A phone number.
    pub phone: String,
    /// An industry label.
    pub industry: String,
    /// City.
    pub city: String,
    /// Country.
    pub country: String,
}

/// A generated person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// The index it was generated from.
    pub index: usize,
    /// Given name; `None` for some people.
    pub first_name: Option<String>,
    /// Family name (always present: both APIs require it).
    pub last_name: String,
    /// Email; `None` for some, shared by several others.
    pub email: Option<String>,
    /// Office phone.
    pub phone: Option<String>,
    /// Mobile phone; `None` for about half.
    pub mobile: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// City.
    pub city: String,
    /// Country.
    pub country: String,
    /// Index of the person's company (`index % companies`), `None` when there are no companies.
    pub company: Option<usize>,
}

/// The one email address several generated people share for a given seed.
pub fn shared_email(seed: u64) -> String {
    format!("office@{}", company(seed, 0).domain)
}

/// The company number `index` of `seed`.
pub fn company(seed: u64, index: usize) -> Company {
    let h = mix(seed, index as u64, 0xC0);
    let name = match index % 10 {
        3 if index > 0 => recase(&base_company_name(seed, index - 1)),
        6 if index > 0 => respace(&base_company_name(seed, index - 1)),
        _ => base_company_name(seed, index),
    };
    let domain = format!(
        "{}{index}.example.com",
        slug(&base_company_name(seed, index))
    );
    let (city, country) = pick(CITIES, h >> 8);
    Company {
        index,
        website: format!("https://www.{domain}"),
        domain,
        phone: phone_number(h),
        industry: pick(INDUSTRIES, h >> 16).to_owned(),
        city: city.to_owned(),
        country: country.to_owned(),
        name,
    }
}

/// The person number `index` of `seed`, attached to one of `companies` companies.
pub fn person(seed: u64, index: usize, companies: usize) -> Person {
    let h = mix(seed, index as u64, 0x9E);
    let company_index = (companies > 0).then(|| index % companies);
    let (first, last, first_slug, last_slug) = if index % 9 == 4 {
        let (given, given_slug) = pick(CHINESE_GIVEN, h);
        let (family, family_slug) = pick(CHINESE_FAMILY, h >> 12);
        (given.to_owned(), family.to_owned(), given_slug, family_slug)
    } else {
        let (given, given_slug) = pick(FIRST_NAMES, h);
        let (family, family_slug) = pick(LAST_NAMES, h >> 12);
        (given.to_owned(), family.to_owned(), given_slug, family_slug)
    };
    let domain = company_index.map_or_else(
        || "people.example.com".to_owned(),
        |c| company(seed, c).domain,
    );
    let email = if index % 12 == 5 {
        None
    } else if index % 15 == 7 {
        Some(shared_email(seed))
    } else {
        Some(format!("{first_slug}.{last_slug}{index}@{domain}"))
    };
    let (city, country) = pick(CITIES, h >> 24);
    Person {
        index,
        first_name: (index % 20 != 11).then_some(first),
        last_name: last,
        email,
        phone: (index % 7 != 2).then(|| phone_number(h >> 4)),
        mobile: (h & 1 == 0).then(|| phone_number(h >> 20)),
        title: (!index.is_multiple_of(4)).then(|| pick(TITLES, h >> 32).to_owned()),
        city: city.to_owned(),
        country: country.to_owned(),
        company: company_index,
    }
}

fn base_company_name(seed: u64, index: usize) -> String {
    if index % 10 == 8 {
        let (name, _) = pick(CHINESE_COMPANIES, mix(seed, index as u64, 0x51));
        return format!("{name}{}", index / 10);
    }
    // A bijection from index to (prefix, noun, suffix) keeps names distinct; a number is appended
    // once the combinations run out.
    let offset = (seed % 997) as usize;
    let i = index + offset;
    let prefix = PREFIXES[i % PREFIXES.len()];
    let noun = NOUNS[(i / PREFIXES.len()) % NOUNS.len()];
    let rounds = i / (PREFIXES.len() * NOUNS.len());
    let suffix = SUFFIXES[rounds % SUFFIXES.len()];
    let extra = rounds / SUFFIXES.len();
    if extra == 0 {
        format!("{prefix} {noun} {suffix}")
    } else {
        format!("{prefix} {noun} {suffix} {extra}")
    }
}

/// The same name in another letter case (upper case, or lower case when it is already upper).
fn recase(name: &str) -> String {
    let upper = name.to_uppercase();
    if upper == name {
        name.to_lowercase()
    } else {
        upper
    }
}

/// The same name with different spacing: a doubled inner space, or a trailing space.
fn respace(name: &str) -> String {
    match name.find(' ') {
        Some(at) => format!("{}  {}", &name[..at], &name[at + 1..]),
        None => format!("{name} "),
    }
}

fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if s.is_empty() {
        "company".to_owned()
    } else {
        s
    }
}

fn phone_number(h: u64) -> String {
    format!("+1 555 {:03} {:04}", (h >> 3) % 1000, (h >> 13) % 10_000)
}

fn pick<T: Copy>(pool: &[T], h: u64) -> T {
    pool[(h % pool.len() as u64) as usize]
}

/// SplitMix64 over (seed, index, stream): stable across platforms and Rust versions.
fn mix(seed: u64, index: u64, stream: u64) -> u64 {
    let mut z = seed
        .wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const FIRST_NAMES: &[(&str, &str)] = &[
    ("Jade", "jade"),
    ("Ann", "ann"),
    ("José", "jose"),
    ("Zoë", "zoe"),
    ("Renée", "renee"),
    ("Jürgen", "jurgen"),
    ("Łukasz", "lukasz"),
    ("Ana María", "anamaria"),
    ("Torrey", "torrey"),
    ("Priya", "priya"),
    ("Olumide", "olumide"),
    ("Siobhán", "siobhan"),
    ("Mark", "mark"),
    ("Ingrid", "ingrid"),
    ("François", "francois"),
    ("Chloé", "chloe"),
];

const LAST_NAMES: &[(&str, &str)] = &[
    ("Tywin", "tywin"),
    ("Lee", "lee"),
    ("O'Brien", "obrien"),
    ("Müller", "muller"),
    ("García", "garcia"),
    ("Nguyễn", "nguyen"),
    ("Smith", "smith"),
    ("Kowalski", "kowalski"),
    ("Emard", "emard"),
    ("Okafor", "okafor"),
    ("van der Berg", "vanderberg"),
    ("Sørensen", "sorensen"),
    ("Dubois", "dubois"),
    ("Patel", "patel"),
];

const CHINESE_GIVEN: &[(&str, &str)] = &[
    ("伟", "wei"),
    ("娜", "na"),
    ("秀英", "xiuying"),
    ("敏", "min"),
    ("静", "jing"),
    ("强", "qiang"),
];

const CHINESE_FAMILY: &[(&str, &str)] = &[
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("欧阳", "ouyang"),
];

const CHINESE_COMPANIES: &[(&str, &str)] = &[
    ("北京星辰科技有限公司", "xingchen"),
    ("上海明月贸易有限公司", "mingyue"),
    ("深圳云帆电子有限公司", "yunfan"),
    ("杭州青山软件有限公司", "qingshan"),
];

const PREFIXES: &[&str] = &[
    "Acme",
    "Zylker",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Tyrell",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Cyberdyne",
    "Wonka",
    "Oscorp",
    "Gringotts",
    "Nakatomi",
];

const NOUNS: &[&str] = &[
    "Labs",
    "Systems",
    "Foods",
    "Logistics",
    "Health",
    "Energy",
    "Media",
    "Robotics",
    "Textiles",
    "Capital",
];

const SUFFIXES: &[&str] = &["Inc", "Ltd", "GmbH", "LLC", "S.A.", "Pty"];

const INDUSTRIES: &[&str] = &[
    "Technology",
    "Retail",
    "Manufacturing",
    "Healthcare",
    "Finance",
    "Education",
    "Logistics",
];

const TITLES: &[&str] = &[
    "Manager",
    "CEO",
    "Buyer",
    "Engineer",
    "Head of Support",
    "Analyst",
    "Purchasing Lead",
];

const CITIES: &[(&str, &str)] = &[
    ("Chennai", "India"),
    ("Austin", "USA"),
    ("München", "Germany"),
    ("São Paulo", "Brazil"),
    ("北京", "China"),
    ("Lyon", "France"),
    ("Sydney", "Australia"),
    ("Toronto", "Canada"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_independent_of_order() {
        let a: Vec<Person> = (0..50).map(|i| person(7, i, 10)).collect();
        let b: Vec<Person> = (0..50).rev().map(|i| person(7, i, 10)).rev().collect();
        assert_eq!(a, b);
        assert_ne!(person(7, 1, 10), person(8, 1, 10));
    }

    #[test]
    fn quirks_are_present() {
        let people: Vec<Person> = (0..60).map(|i| person(1, i, 20)).collect();
        assert!(people.iter().any(|p| p.email.is_none()));
        let shared = shared_email(1);
        assert!(
            people
                .iter()
                .filter(|p| p.email.as_deref() == Some(&shared))
                .count()
                >= 2
        );
        assert!(people.iter().any(|p| p.first_name.is_none()));
        assert!(people.iter().any(|p| {
            p.last_name
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        }));

        let companies: Vec<Company> = (0..20).map(|i| company(1, i)).collect();
        assert_ne!(companies[2].name, companies[3].name);
        assert_eq!(
            companies[2].name.to_lowercase(),
            companies[3].name.to_lowercase()
        );
        assert_ne!(companies[5].name, companies[6].name);
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(squash(&companies[5].name), squash(&companies[6].name));
        let mut names: Vec<&str> = companies.iter().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), companies.len());
    }
}
