//! `custdesk bulk` end to end against a real sandbox over HTTP: bad CSV rows reported
//! by line and column and refused without `--skip-invalid`, the typed-back count, every
//! action applied, NDJSON results, status and CSV export.

use crate::bulk_support;
use crate::common;

use bulk_support::*;
use serde_json::Value;

const UNKNOWN: &str = "00000000000000000000000000000000";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rows_are_reported_and_refused_unless_skipped() {
    let t = common::start(50).await;
    let env = Env::new();
    let ids = t.customer_ids(common::DEMO, 4);
    let csv = env.write(
        "edits.csv",
        &format!(
            "action,customer_id,email\n\
             set_email,{},good1@example.com\n\
             set_email,{},not-an-email\n\
             set_email,{UNKNOWN},good2@example.com\n\
             set_email,{},good3@example.com\n\
             frobnicate,{},x@example.com\n",
            ids[0], ids[1], ids[2], ids[3]
        ),
    );
    let plan = env.path("plan.json");
    let o = env.plan(&csv, &plan, &t.base, false).await;
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains("line 3, column email: must contain @"),
        "{err}"
    );
    assert!(
        err.contains("line 4, column customer_id: no such customer"),
        "{err}"
    );
    assert!(
        err.contains("line 6, column action: 'frobnicate' is not an action"),
        "{err}"
    );
    assert!(err.contains("3 rows in error"), "{err}");
    // The listing shows each good row's customer with old and new value, masked.
    let out = stdout(&o);
    assert!(out.contains(&ids[0]) && out.contains(&ids[2]), "{out}");
    assert!(out.contains("g•••@e•••.com"), "{out}");
    assert!(!out.contains("good1@example.com"), "masked: {out}");

    let before = t.footprint();
    let o = env.run(&["apply", plan.to_str().unwrap()]).await;
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains("3 rows in error: nothing applied"), "{err}");
    assert!(err.contains("line 3, column email"), "{err}");
    assert_eq!(t.footprint(), before, "nothing was written");

    let o = env
        .run(&[
            "apply",
            plan.to_str().unwrap(),
            "--skip-invalid",
            "--ndjson",
        ])
        .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON"))
        .collect();
    assert_eq!(lines.len(), 3, "two items and a summary: {lines:?}");
    assert!(
        lines[..2]
            .iter()
            .all(|l| l["type"] == "item" && l["outcome"] == "applied")
    );
    assert_eq!(lines[2]["type"], "summary");
    assert_eq!(lines[2]["applied"], 2);
    assert_eq!(lines[2]["exit"], 0);
    let now = emails(&t.sb, &ids);
    assert_eq!(now[&ids[0]].as_deref(), Some("good1@example.com"));
    assert_eq!(now[&ids[2]].as_deref(), Some("good3@example.com"));
    assert_ne!(now[&ids[1]].as_deref(), Some("not-an-email"));
    // The job resumes and retries from its stored copy, errors and all.
    let job = load_plan(&plan).job_id;
    for cmd in ["resume", "retry-failed"] {
        let o = env.run(&[cmd, &job]).await;
        assert_eq!(code(&o), 0, "{cmd}: {}", stderr(&o));
        assert!(stderr(&o).contains("2 applied"), "{cmd}: {}", stderr(&o));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_and_large_plans_need_the_count_typed_back() {
    let t = common::start(150).await;
    let env = Env::new();
    let ids = t.customer_ids(common::DEMO, 102);
    let doomed = &ids[101];
    let exists = |id: &str| t.count(&format!("SELECT count(*) FROM customers WHERE id = '{id}'"));
    let del = env.write(
        "delete.csv",
        &format!("action,customer_id\ndelete,{doomed}\n"),
    );
    let plan = env.path("delete.json");
    let o = env.plan(&del, &plan, &t.base, false).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("--yes 1"), "{}", stderr(&o));
    let p = plan.to_str().unwrap();
    let o = env.run(&["apply", p]).await;
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("deletes 1 customers: pass --yes 1"),
        "{}",
        stderr(&o)
    );
    let o = env.run(&["apply", p, "--yes", "2"]).await;
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--yes 2 does not match the 1 items"));
    assert_eq!(exists(doomed), 1, "not deleted without the count");
    let o = env.run(&["apply", p, "--yes", "1"]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(exists(doomed), 0);

    // 101 edits: over 100.
    let csv = env.write("many.csv", &email_csv(&ids[..101], "many"));
    let many = env.path("many.json");
    let o = env.plan(&csv, &many, &t.base, true).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let m = many.to_str().unwrap();
    let o = env.run(&["apply", m]).await;
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("more than 100 items: pass --yes 101"),
        "{}",
        stderr(&o)
    );
    let o = env.run(&["apply", m, "--yes", "101"]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_exactly_once(&t.sb, &load_plan(&many));
}

/// Every action through the CLI, with status and export.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_action_applies() {
    let t = common::start(60).await;
    let env = Env::new();
    let ids = t.customer_ids(common::DEMO, 60);
    let (enrolled_id, enrolled_code): (String, String) =
        t.sb.state
            .store
            .read(|c| {
                c.query_row(
                "SELECT c.id, a.alert_code FROM alert_enrolments a JOIN customers c ON c.cid = a.cid
                 WHERE c.tenant = 'demo-bank' AND a.alert_code != 'LOW_BALANCE' LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            })
            .expect("a customer with an alert");
    let (phone_owner, phone_cc, phone_national): (String, String, String) = t
        .sb
        .state
        .store
        .read(|c| {
            c.query_row(
                "SELECT c.id, p.country_code, p.national FROM phones p JOIN customers c ON c.cid = p.cid
                 WHERE c.tenant = 'demo-bank' AND length(p.national) = 10 AND p.consent != 'stop' LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
        })
        .expect("a customer with a phone");
    let pick = |n: usize| -> String {
        ids.iter()
            .filter(|i| **i != enrolled_id && **i != phone_owner)
            .nth(n)
            .unwrap()
            .clone()
    };
    let csv = env.write(
        "all.csv",
        &format!(
            "action,customer_id,email,phone,consent_type,phone_type,country_code,alert_code,channel,threshold,first_name,last_name\n\
             subscribe,{},,,,,,low_balance,SMS,50,,\n\
             unsubscribe,{enrolled_id},,,,,,{enrolled_code},,,,\n\
             add_phone,{},,07700900555,written,mobile,44,,,,,\n\
             stop_consent,{phone_owner},,{phone_national},,,{phone_cc},,,,,\n\
             set_phone,{},,+44 7700 900777,,,,,,,,\n\
             set_email,{},new.address@example.com,,,,,,,,,\n\
             create,,grace@example.com,,,,,,,,Grace,Hopper\n",
            pick(0),
            pick(1),
            pick(2),
            pick(3)
        ),
    );
    let plan = env.path("all.json");
    let o = env.plan(&csv, &plan, &t.base, false).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let listing = stdout(&o);
    assert!(
        listing.contains(&format!("{enrolled_code} by")),
        "old value of the alert: {listing}"
    );
    assert!(listing.contains("not on file"), "{listing}");
    let o = env
        .run(&["apply", plan.to_str().unwrap(), "--ndjson"])
        .await;
    assert_eq!(code(&o), 0, "{}\n{}", stdout(&o), stderr(&o));
    let results: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), 8);
    assert!(
        results[..7].iter().all(|r| r["outcome"] == "applied"),
        "{results:#?}"
    );
    let created = results
        .iter()
        .find(|r| r["action"] == "create")
        .and_then(|r| r["created_id"].as_str())
        .expect("created id")
        .to_string();

    let one = |sql: String| t.count(&sql);
    assert_eq!(
        one(format!(
            "SELECT count(*) FROM alert_enrolments a JOIN customers c ON c.cid = a.cid
             WHERE c.id = '{}' AND a.alert_code = 'LOW_BALANCE' AND a.channel = 'SMS' AND a.threshold = 50",
            pick(0)
        )),
        1
    );
    assert_eq!(
        one(format!(
            "SELECT count(*) FROM alert_enrolments a JOIN customers c ON c.cid = a.cid
             WHERE c.id = '{enrolled_id}' AND a.alert_code = '{enrolled_code}'"
        )),
        0
    );
    assert_eq!(
        one(format!(
            "SELECT count(*) FROM phones p JOIN customers c ON c.cid = p.cid
             WHERE c.id = '{}' AND p.national = '7700900555' AND p.country_code = '44' AND p.consent = 'written'",
            pick(1)
        )),
        1
    );
    assert_eq!(
        one(format!(
            "SELECT count(*) FROM phones p JOIN customers c ON c.cid = p.cid
             WHERE c.id = '{phone_owner}' AND p.national = '{phone_national}' AND p.consent = 'stop'"
        )),
        1
    );
    assert_eq!(
        one(format!(
            "SELECT count(*) FROM phones p JOIN customers c ON c.cid = p.cid
             WHERE c.id = '{}' AND p.national = '7700900777' AND p.country_code = '44'",
            pick(2)
        )),
        1
    );
    assert_eq!(
        emails(&t.sb, &[pick(3)])[&pick(3)].as_deref(),
        Some("new.address@example.com")
    );
    assert_eq!(
        one(format!(
            "SELECT count(*) FROM customers WHERE id = '{created}' AND given_name = 'Grace'"
        )),
        1
    );

    // Applying the same plan again sends nothing new.
    let before = t.footprint();
    let o = env.run(&["apply", plan.to_str().unwrap()]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("resuming"), "{}", stderr(&o));
    assert_eq!(t.footprint(), before);

    let p = load_plan(&plan);
    let o = env.run(&["status"]).await;
    assert!(stdout(&o).contains(&p.job_id), "{}", stdout(&o));
    assert!(stdout(&o).contains("complete"), "{}", stdout(&o));
    let export = env.path("results.csv");
    let o = env
        .run(&["export", &p.job_id, "-o", export.to_str().unwrap()])
        .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = std::fs::read_to_string(&export).unwrap();
    assert_eq!(text.lines().count(), 8, "{text}");
    assert!(text.starts_with("line,item,customer_id,action,old,new,result"));
    assert!(text.contains(&created));
    // Each row names its customer with the end of the id, so namesakes differ.
    let header = text.lines().next().unwrap();
    assert!(header.ends_with(",customer"), "{header}");
    assert!(text.contains(&format!("(…{})", &ids[0][26..])), "{text}");

    // The audit log has one entry per item, masked.
    let audit = std::fs::read_to_string(env.data_dir().join("audit.log")).unwrap();
    assert_eq!(audit.lines().count(), 7, "{audit}");
    assert!(audit.contains("bulk set_email"));
    assert!(!audit.contains("new.address@example.com"), "{audit}");
}

/// A dropped SSH session (SIGHUP) cancels: items in flight finish, the rest stay
/// pending, the exit code says interrupted, and the next command offers the resume.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hangup_cancels_cleanly_and_the_job_is_offered_for_resume() {
    let t = common::start_with(400, |c| {
        c.faults = custdesk::sandbox::faults::Faults::parse("latency=5ms").unwrap();
    })
    .await;
    let env = Env::new();
    let ids = t.customer_ids(common::DEMO, 400);
    let csv = env.write("edits.csv", &email_csv(&ids, "hup"));
    let plan = env.path("plan.json");
    let o = env.plan(&csv, &plan, &t.base, true).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let p = load_plan(&plan);
    let child = env
        .cmd(&[
            "apply",
            plan.to_str().unwrap(),
            "--yes",
            "400",
            "--concurrency",
            "4",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let journal = custdesk::bulk::journal::journal_path(&env.jobs_dir(), &p.job_id);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0) < 5_000 {
        assert!(std::time::Instant::now() < deadline, "no progress");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let pid = child.id().expect("pid") as i32;
    // SAFETY: signalling a child this test started and has not yet reaped.
    unsafe { libc::kill(pid, libc::SIGHUP) };
    let o = child.wait_with_output().await.expect("wait");
    let err = stderr(&o);
    assert_eq!(code(&o), 3, "{err}");
    assert!(err.contains("cancelling"), "{err}");
    assert!(
        err.contains(&format!("custdesk bulk resume {}", p.job_id)),
        "{err}"
    );
    let (state, _) = custdesk::bulk::journal::read(&journal, 400).unwrap();
    let c = state.counts(&[false; 400]);
    assert_eq!(c.in_doubt, 0, "in-flight items finished: {c:?}");
    assert!(c.applied > 0 && c.pending > 0, "{c:?}");
    assert_eq!(
        t.count("SELECT count(*) FROM write_log") as usize,
        c.applied
    );

    let o = env.run(&["status"]).await;
    assert!(stdout(&o).contains("cancelled"), "{}", stdout(&o));
    // The next command says so.
    let o = env.run(&["show", plan.to_str().unwrap()]).await;
    assert_eq!(code(&o), 0);
    let o = env.plan(&csv, &env.path("again.json"), &t.base, true).await;
    assert!(
        stderr(&o).contains(&format!("note: job {} (", p.job_id))
            && stderr(&o).contains("was cancelled with"),
        "{}",
        stderr(&o)
    );
    // Resume without naming it: the only unfinished job.
    let o = env.run(&["resume"]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("{} to send", c.pending)),
        "{}",
        stderr(&o)
    );
    assert_exactly_once(&t.sb, &p);
}

/// A plan applied later is read again first: a customer changed since refuses it
/// (nothing applied) until `--accept-changes`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_applied_later_refuses_customers_changed_since_it_was_made() {
    let t = common::start(50).await;
    let env = Env::new();
    let ids = t.customer_ids(common::DEMO, 3);
    let csv = env.write("edits.csv", &email_csv(&ids, "later"));
    let plan = env.path("plan.json");
    let o = env.plan(&csv, &plan, &t.base, false).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Someone changes the second customer's email after the plan was made.
    let bo = t.backoffice().await;
    let a = t
        .send_json(
            reqwest::Method::PUT,
            &format!("/bankingservice/v1/profiles/demo-bank/customers/{}", ids[1]),
            Some(&bo),
            &serde_json::json!({"email": "changed.meanwhile@example.org"}),
        )
        .await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.text);
    let before = write_log(&t.sb);
    let o = env
        .run(&["apply", plan.to_str().unwrap(), "--backend", &t.base])
        .await;
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains(&format!("line 3 ({}): the plan showed", ids[1]))
            && err.contains("it is now c•••@e•••.org"),
        "{err}"
    );
    assert!(
        err.contains("1 customers changed since the plan was made"),
        "{err}"
    );
    assert_eq!(write_log(&t.sb), before, "nothing applied");
    let o = env
        .run(&[
            "apply",
            plan.to_str().unwrap(),
            "--backend",
            &t.base,
            "--accept-changes",
        ])
        .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let now = emails(&t.sb, &ids);
    assert_eq!(now[&ids[1]].as_deref(), Some("later1@example.com"));
}

/// A customer deleted after the plan was made cannot be updated: the item fails for
/// good (not found). The run says how many and why and offers no retry for it;
/// `retry-failed` sends nothing and says so; `status` says the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_that_fail_for_good_are_explained_and_never_retried() {
    let t = common::start(50).await;
    let env = Env::new();
    let ids = t.customer_ids(common::DEMO, 3);
    let csv = env.write("edits.csv", &email_csv(&ids, "gone"));
    let plan = env.path("plan.json");
    let o = env.plan(&csv, &plan, &t.base, false).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let job = load_plan(&plan).job_id;
    let bo = t.backoffice().await;
    let a = common::answer(
        t.req(
            reqwest::Method::DELETE,
            &format!("/bankingservice/v1/profiles/demo-bank/customers/{}", ids[1]),
            Some(&bo),
        )
        .send()
        .await
        .expect("delete"),
    )
    .await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.text);

    let o = env
        .run(&[
            "apply",
            plan.to_str().unwrap(),
            "--backend",
            &t.base,
            "--accept-changes",
        ])
        .await;
    let err = stderr(&o);
    assert_eq!(code(&o), 1, "some failed: {err}");
    assert!(err.contains("2 applied, 1 failed"), "{err}");
    assert!(
        err.contains("1 failed for good (sending it again cannot help): not found (404)"),
        "{err}"
    );
    assert!(
        !err.contains("retry-failed"),
        "nothing a retry could cure is offered: {err}"
    );

    let before = write_log(&t.sb);
    let o = env.run(&["retry-failed", &job, "--backend", &t.base]).await;
    let err = stderr(&o);
    assert_eq!(code(&o), 1, "{err}");
    assert!(
        err.contains(&format!(
            "job {job}: nothing to retry; 1 failed for good (sending it again cannot help): not found (404)"
        )),
        "{err}"
    );
    assert_eq!(write_log(&t.sb), before, "nothing sent");

    let o = env.run(&["status", &job]).await;
    let out = stdout(&o);
    assert!(
        out.contains("1 failed for good (sending it again cannot help): not found (404)"),
        "{out}"
    );
    assert!(!out.contains("retry-failed"), "{out}");
    let o = env.run(&["status", &job, "--json"]).await;
    let failure: Value = stdout(&o)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["type"] == "failure")
        .unwrap_or_else(|| panic!("{}", stdout(&o)));
    assert_eq!(
        (&failure["class"], &failure["transient"]),
        (&Value::from("not_found"), &Value::from(false)),
        "{failure}"
    );
    let now = emails(&t.sb, &[ids[0].clone(), ids[2].clone()]);
    assert_eq!(now[&ids[0]].as_deref(), Some("gone0@example.com"));
    assert_eq!(now[&ids[2]].as_deref(), Some("gone2@example.com"));
}
