//! A search whose only filter is a postcode or a postcode prefix, answered from the
//! covering index `addresses_tenant_postcode` (tenant, postcode, customer).
//!
//! The general query counts its matches by looking up every matching address and then
//! its customer: for a two-character prefix at 1M customers that is some 45,000 of each,
//! and the page query sorts them all by name. Here the matching customers are read once
//! from the index (no table row touched), counted, and the page is found either by
//! sorting a few matches by name or, when there are many, by walking the tenant's name
//! index in order until the page is full (matches are then dense enough to fill it soon).

use rusqlite::{Connection, params};

use super::{CustomerRec, DbResult, Search, SortKey, customers_by_cid, prefix_end};

/// Up to this many matches, their sort keys are read and sorted; above it, the tenant's
/// index in sort order is walked. Either costs a few milliseconds here.
const SORT_AT_MOST: usize = 2_000;

/// The answer when `s` is a lone postcode or postcode-prefix search sorted by a column
/// with an index (`filters` counts the tenant as one); `None` for any other search.
pub(super) fn search(
    c: &Connection,
    s: &Search,
    filters: usize,
) -> DbResult<Option<(u64, Vec<CustomerRec>)>> {
    search_sorting(c, s, filters, SORT_AT_MOST)
}

fn search_sorting(
    c: &Connection,
    s: &Search,
    filters: usize,
    sort_at_most: usize,
) -> DbResult<Option<(u64, Vec<CustomerRec>)>> {
    if filters != 2 || s.sort == SortKey::Postcode {
        return Ok(None);
    }
    let mut cids: Vec<i64> = match (&s.postcode, &s.postcode_prefix) {
        (Some(p), None) => c
            .prepare_cached("SELECT cid FROM addresses WHERE tenant = ?1 AND postcode_norm = ?2")?
            .query_map(params![s.tenant, p], |r| r.get(0))?
            .collect::<DbResult<_>>()?,
        (None, Some(p)) => c
            .prepare_cached(
                "SELECT cid FROM addresses \
                 WHERE tenant = ?1 AND postcode_norm >= ?2 AND postcode_norm < ?3",
            )?
            .query_map(params![s.tenant, p, prefix_end(p)], |r| r.get(0))?
            .collect::<DbResult<_>>()?,
        _ => return Ok(None),
    };
    cids.sort_unstable();
    cids.dedup();
    let count = cids.len() as u64;
    let skip = usize::try_from(u64::from(s.page) * u64::from(s.size)).unwrap_or(usize::MAX);
    let size = s.size as usize;
    if skip >= cids.len() {
        return Ok(Some((count, vec![])));
    }
    let page = if cids.len() <= sort_at_most {
        sorted_page(c, s, &cids, skip, size)?
    } else {
        walked_page(c, s, &cids, skip, size)?
    };
    Ok(Some((count, customers_by_cid(c, &page)?)))
}

/// The sort columns of [`SortKey`] (all but `Postcode`), in order, before the row id.
fn columns(sort: SortKey) -> &'static str {
    match sort {
        SortKey::FamilyName => "family_norm, given_norm",
        SortKey::GivenName => "given_norm, family_norm",
        SortKey::DateOfBirth | SortKey::Postcode => "date_of_birth, ''",
    }
}

/// Read each match's sort key and sort them as SQLite would (text compares bytewise).
fn sorted_page(
    c: &Connection,
    s: &Search,
    cids: &[i64],
    skip: usize,
    size: usize,
) -> DbResult<Vec<i64>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {} FROM customers WHERE cid = ?1",
        columns(s.sort)
    ))?;
    let mut keyed = Vec::with_capacity(cids.len());
    for &cid in cids {
        let (a, b): (String, String) = st.query_row([cid], |r| Ok((r.get(0)?, r.get(1)?)))?;
        keyed.push((a, b, cid));
    }
    keyed.sort_unstable();
    if s.descending {
        keyed.reverse();
    }
    Ok(keyed
        .into_iter()
        .skip(skip)
        .take(size)
        .map(|k| k.2)
        .collect())
}

/// Walk the tenant's customers in sort order (an index scan) and keep the matches.
fn walked_page(
    c: &Connection,
    s: &Search,
    cids: &[i64],
    skip: usize,
    size: usize,
) -> DbResult<Vec<i64>> {
    let dir = if s.descending { "DESC" } else { "ASC" };
    let order = columns(s.sort)
        .split(", ")
        .filter(|col| *col != "''")
        .chain(["cid"])
        .map(|col| format!("{col} {dir}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut st = c.prepare_cached(&format!(
        "SELECT cid FROM customers WHERE tenant = ?1 ORDER BY {order}"
    ))?;
    let mut rows = st.query([&s.tenant])?;
    let mut out = Vec::with_capacity(size);
    let mut seen = 0;
    while let Some(r) = rows.next()? {
        let cid: i64 = r.get(0)?;
        if cids.binary_search(&cid).is_err() {
            continue;
        }
        seen += 1;
        if seen > skip {
            out.push(cid);
            if out.len() == size {
                break;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::super::{Search, SortKey, migrate, schema, seed};
    use super::search_sorting;

    /// Both ways to find a page (sorting the matches, walking the name index) give the
    /// same customers in the same order as the general query, and the same count.
    #[test]
    fn walking_and_sorting_agree_with_the_general_query() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c).unwrap();
        seed::seed(&mut c, 600).unwrap();
        let sorts = [
            SortKey::FamilyName,
            SortKey::GivenName,
            SortKey::DateOfBirth,
        ];
        for prefix in ["SW", "N1", "M"] {
            for sort in sorts {
                for descending in [false, true] {
                    for page in 0..3 {
                        let s = Search {
                            tenant: seed::DEMO_TENANT.into(),
                            postcode_prefix: Some(prefix.into()),
                            sort,
                            descending,
                            page,
                            size: 7,
                            ..Search::default()
                        };
                        let ids = |sort_at_most| {
                            let (n, rows) =
                                search_sorting(&c, &s, 2, sort_at_most).unwrap().unwrap();
                            (n, rows.into_iter().map(|r| r.cid).collect::<Vec<_>>())
                        };
                        let general = general(&c, &s);
                        assert!(general.0 > 0, "{prefix}");
                        assert_eq!(ids(usize::MAX), general, "{prefix} {sort:?} {descending}");
                        assert_eq!(ids(0), general, "{prefix} {sort:?} {descending}");
                    }
                }
            }
        }
    }

    /// The general query's answer for a lone postcode prefix.
    fn general(c: &Connection, s: &Search) -> (u64, Vec<i64>) {
        let p = s.postcode_prefix.as_deref().unwrap();
        let end = super::prefix_end(p);
        let wh = "c.tenant = ?1 AND c.cid IN (SELECT cid FROM addresses \
                  WHERE postcode_norm >= ?2 AND postcode_norm < ?3)";
        let n = c
            .query_row(
                &format!("SELECT count(*) FROM customers c WHERE {wh}"),
                [&s.tenant, p, &end],
                |r| r.get(0),
            )
            .unwrap();
        let dir = if s.descending { "DESC" } else { "ASC" };
        let order = match s.sort {
            SortKey::FamilyName => format!("family_norm {dir}, given_norm {dir}, cid {dir}"),
            SortKey::GivenName => format!("given_norm {dir}, family_norm {dir}, cid {dir}"),
            _ => format!("date_of_birth {dir}, cid {dir}"),
        };
        let ids = c
            .prepare(&format!(
                "SELECT cid FROM customers c WHERE {wh} ORDER BY {order} LIMIT {} OFFSET {}",
                s.size,
                s.page * s.size
            ))
            .unwrap()
            .query_map([&s.tenant, p, &end], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        (n, ids)
    }

    /// A store made before addresses carried a tenant keeps every address, each given
    /// its customer's tenant; addresses inserted later without one get it too.
    #[test]
    fn migrating_fills_address_tenants() {
        let mut c = Connection::open_in_memory().unwrap();
        for sql in &schema::MIGRATIONS[..2] {
            c.execute_batch(sql).unwrap();
        }
        c.execute_batch(
            "PRAGMA user_version = 2;
             INSERT INTO customers (cid, id, tenant, customer_ref, given_name, family_name,
                 given_norm, family_norm, created)
             VALUES (1, 'a', 'demo-bank', 'R1', 'Ada', 'Q', 'ada', 'q', 'now'),
                    (2, 'b', 'rival-bank', 'R2', 'Bo', 'R', 'bo', 'r', 'now');
             INSERT INTO addresses (cid, kind, line1, city, postcode, postcode_norm, country)
             VALUES (1, 'HOME', '1 St', 'London', 'SW1A 1AA', 'SW1A1AA', 'GB'),
                    (2, 'HOME', '2 St', 'London', 'SW1A 2AA', 'SW1A2AA', 'GB');",
        )
        .unwrap();
        migrate(&mut c).unwrap();
        c.execute_batch(
            "INSERT INTO addresses (cid, kind, line1, city, postcode, postcode_norm, country)
             VALUES (2, 'MAILING', '3 St', 'Leeds', 'LS1 1AA', 'LS11AA', 'GB')",
        )
        .unwrap();
        let rows: Vec<(i64, String, String)> = c
            .prepare("SELECT cid, postcode_norm, tenant FROM addresses ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            vec![
                (1, "SW1A1AA".to_string(), "demo-bank".to_string()),
                (2, "SW1A2AA".to_string(), "rival-bank".to_string()),
                (2, "LS11AA".to_string(), "rival-bank".to_string()),
            ]
        );
    }
}
