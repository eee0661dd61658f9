//! The service-levels document: one per site, every version of its SLA policy,
//! business calendar and priority matrix that an administrator published.
//!
//! ```text
//! { kind: "sla-policy", schema: 1, site, createdAt,
//!   versions: [ { …levels, publishedAt, device, by, byName, byRole } ] }
//! levels: { version, firstResponse: [P1..P4 minutes], resolution: [P1..P4 minutes],
//!           pauseOn: ["caller", …], utcOffset: minutes,
//!           week: [Monday..Sunday: "08:00-18:00" | ""], holidays: ["YYYY-MM-DD", …],
//!           matrix: [16 ranks, impact-major] }
//! ```
//! `versions` is append-only: publishing adds version n+1 and never rewrites an
//! earlier one, so the history of every policy stays readable. Two
//! administrators publishing offline at once both append; the standing version
//! is `model::service_levels::standing` of them all. An incident copies the
//! `levels` map of the version it is logged under ([`write_levels`],
//! [`read_levels`]).

use automerge::transaction::Transactable;
use automerge::{Automerge, AutomergeError, ObjId, ObjType, ReadDoc, ROOT};

use super::fields::{put_strings, Reader};
use super::{check_header, ReadError, Stamp, SCHEMA_VERSION};
use crate::model::access::{Person, RecordKind};
use crate::model::calendar::{BusinessCalendar, Hours};
use crate::model::date::Weekday;
use crate::model::event::HoldReason;
use crate::model::priority::{Priority, PriorityMatrix};
use crate::model::service_levels::{clock_text, parse_clock, PublishError, ServiceLevels};
use crate::model::sla::{SlaPolicy, Targets};

/// One published version and who published it when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub levels: ServiceLevels,
    /// Device time of the publication.
    pub at_ms: i64,
    pub by: Person,
}

/// A service-levels document as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelsRecord {
    pub site: String,
    /// Oldest first, in the list's order; entries that do not read are left out.
    pub versions: Vec<Published>,
}

/// Why a publication was not written.
#[derive(Debug, thiserror::Error)]
pub enum PublishLevelsError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("the document rejected the change: {0}")]
    Automerge(#[from] AutomergeError),
    #[error(transparent)]
    Refused(#[from] PublishError),
}

/// The `kind` of a service-levels document.
pub fn kind() -> &'static str {
    RecordKind::SlaPolicy.as_str()
}

/// Writes a site's service-levels document, holding `levels` as its first
/// published version, into an empty document (whose actor is the device's).
pub fn create(
    doc: &mut Automerge,
    site: &str,
    levels: &ServiceLevels,
    by: &Person,
    stamp: Stamp,
) -> Result<(), PublishLevelsError> {
    doc.transact_with::<_, _, AutomergeError, _>(
        |_| stamp.commit_options("publish service levels"),
        |tx| {
            tx.put(ROOT, "kind", kind())?;
            tx.put(ROOT, "schema", SCHEMA_VERSION)?;
            tx.put(ROOT, "site", site)?;
            tx.put(ROOT, "createdAt", stamp.at_ms)?;
            let list = tx.put_object(ROOT, "versions", ObjType::List)?;
            write_version(tx, &list, 0, levels, by, stamp)
        },
    )
    .map_err(|failure| failure.error)?;
    Ok(())
}

/// Appends `levels` as a new version; refused unless its number follows every
/// version in `published` (all of the site's, from every service-levels document).
pub fn publish(
    doc: &mut Automerge,
    levels: &ServiceLevels,
    published: &[ServiceLevels],
    by: &Person,
    stamp: Stamp,
) -> Result<(), PublishLevelsError> {
    let record = read(doc)?;
    PublishError::check(
        levels.version,
        published
            .iter()
            .chain(record.versions.iter().map(|p| &p.levels)),
    )?;
    let list = Reader { doc }
        .object(&ROOT, "versions", ObjType::List)
        .ok_or(ReadError::BadField("versions"))?;
    let index = doc.length(&list);
    doc.transact_with::<_, _, AutomergeError, _>(
        |_| stamp.commit_options("publish service levels"),
        |tx| write_version(tx, &list, index, levels, by, stamp),
    )
    .map_err(|failure| failure.error)?;
    Ok(())
}

/// Reads the document's site and versions.
pub fn read(doc: &Automerge) -> Result<LevelsRecord, ReadError> {
    check_header(doc, kind())?;
    let r = Reader { doc };
    let site = r.text(&ROOT, "site").map_err(ReadError::BadField)?;
    let list = r
        .object(&ROOT, "versions", ObjType::List)
        .ok_or(ReadError::BadField("versions"))?;
    let versions = doc
        .list_range(&list, ..)
        .map(|item| item.id())
        .filter_map(|map| {
            Some(Published {
                levels: read_levels(doc, &map)?,
                at_ms: r.int(&map, "publishedAt").ok()?,
                by: Person {
                    user_id: r.text(&map, "by").ok()?,
                    name: r.text(&map, "byName").ok()?,
                    role: r.text(&map, "byRole").ok()?.parse().ok()?,
                },
            })
        })
        .collect();
    Ok(LevelsRecord { site, versions })
}

fn write_version(
    tx: &mut impl Transactable,
    list: &ObjId,
    index: usize,
    levels: &ServiceLevels,
    by: &Person,
    stamp: Stamp,
) -> Result<(), AutomergeError> {
    let map = tx.insert_object(list, index, ObjType::Map)?;
    fill_levels(tx, &map, levels)?;
    tx.put(&map, "publishedAt", stamp.at_ms)?;
    tx.put(&map, "by", by.user_id.as_str())?;
    tx.put(&map, "byName", by.name.as_str())?;
    tx.put(&map, "byRole", by.role.as_str())?;
    Ok(())
}

/// Writes `levels` as a map at `key` of `obj` (an incident's copy of its version).
pub(crate) fn write_levels(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
    levels: &ServiceLevels,
) -> Result<(), AutomergeError> {
    let map = tx.put_object(obj, key, ObjType::Map)?;
    fill_levels(tx, &map, levels)
}

fn fill_levels(
    tx: &mut impl Transactable,
    map: &ObjId,
    levels: &ServiceLevels,
) -> Result<(), AutomergeError> {
    let targets = &levels.policy.targets;
    let first: Vec<i64> = targets
        .iter()
        .map(|t| i64::from(t.first_response_minutes.get()))
        .collect();
    let resolution: Vec<i64> = targets
        .iter()
        .map(|t| i64::from(t.resolution_minutes.get()))
        .collect();
    let matrix: Vec<i64> = levels
        .matrix
        .table
        .iter()
        .flatten()
        .map(|p| i64::from(p.rank()))
        .collect();
    put_ints(tx, map, "firstResponse", &first)?;
    put_ints(tx, map, "resolution", &resolution)?;
    put_ints(tx, map, "matrix", &matrix)?;
    tx.put(map, "version", i64::from(levels.version))?;
    let calendar = &levels.calendar;
    tx.put(map, "utcOffset", i64::from(calendar.utc_offset_minutes()))?;
    let pause_on: Vec<&str> = levels.policy.pause_on.iter().map(|r| r.as_str()).collect();
    put_strings(tx, map, "pauseOn", &pause_on)?;
    let week: Vec<String> = Weekday::ALL
        .iter()
        .map(|&d| match calendar.hours(d) {
            Some(h) => format!(
                "{}-{}",
                clock_text(h.open_minute()),
                clock_text(h.close_minute())
            ),
            None => String::new(),
        })
        .collect();
    put_strings(tx, map, "week", &week)?;
    let holidays: Vec<String> = calendar.holidays().map(|d| d.to_string()).collect();
    put_strings(tx, map, "holidays", &holidays)
}

fn put_ints(
    tx: &mut impl Transactable,
    map: &ObjId,
    key: &str,
    values: &[i64],
) -> Result<(), AutomergeError> {
    let list = tx.put_object(map, key, ObjType::List)?;
    for (i, v) in values.iter().enumerate() {
        tx.insert(&list, i, *v)?;
    }
    Ok(())
}

/// Reads a `levels` map; `None` if any part does not read as a valid version.
pub(crate) fn read_levels(doc: &Automerge, map: &ObjId) -> Option<ServiceLevels> {
    let r = Reader { doc };
    let version = u32::try_from(r.int(map, "version").ok()?).ok()?;
    let ints = |key: &str| -> Option<Vec<i64>> {
        let list = r.object(map, key, ObjType::List)?;
        doc.list_range(&list, ..)
            .map(|item| match item.value.into_value() {
                automerge::Value::Scalar(s) => super::whole_number(&s),
                _ => None,
            })
            .collect()
    };
    let minutes = |key: &str| -> Option<Vec<std::num::NonZeroU32>> {
        ints(key)?
            .into_iter()
            .map(|n| u32::try_from(n).ok().and_then(std::num::NonZeroU32::new))
            .collect()
    };
    let (first, resolution) = (minutes("firstResponse")?, minutes("resolution")?);
    if first.len() != 4 || resolution.len() != 4 {
        return None;
    }
    let targets: [Targets; 4] = std::array::from_fn(|i| Targets {
        first_response_minutes: first[i],
        resolution_minutes: resolution[i],
    });
    let ranks = ints("matrix")?;
    let cells: Vec<Priority> = ranks
        .into_iter()
        .map(Priority::from_rank)
        .collect::<Option<_>>()?;
    if cells.len() != 16 {
        return None;
    }
    let table: [[Priority; 4]; 4] =
        std::array::from_fn(|i| std::array::from_fn(|u| cells[i * 4 + u]));
    let pause_on = r
        .strings(map, "pauseOn")?
        .iter()
        .map(|s| HoldReason::parse(s))
        .collect::<Option<_>>()?;
    let days = r.strings(map, "week")?;
    if days.len() != 7 {
        return None;
    }
    let mut week = [None; 7];
    for (i, day) in days.iter().enumerate() {
        if day.is_empty() {
            continue;
        }
        let (open, close) = day.split_once('-')?;
        week[i] = Some(Hours::new(parse_clock(open)?, parse_clock(close)?).ok()?);
    }
    let holidays = r
        .strings(map, "holidays")?
        .iter()
        .map(|s| s.parse().ok())
        .collect::<Option<Vec<_>>>()?;
    let offset = i32::try_from(r.int(map, "utcOffset").ok()?).ok()?;
    Some(ServiceLevels {
        version,
        policy: SlaPolicy {
            version,
            targets,
            pause_on,
        },
        calendar: BusinessCalendar::new(offset, week, holidays).ok()?,
        matrix: PriorityMatrix { version, table },
    })
}

#[cfg(test)]
mod tests;
