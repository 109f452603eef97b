//! Repository behaviour, run on SQLite always and on PostgreSQL when `PACTA_TEST_POSTGRES_URL`
//! is set (one fresh database per test).

use pacta_core::catalogue::document::parse_yaml;
use pacta_core::catalogue::import::{plan, Action, Kind};
use pacta_core::catalogue::read::{read_catalogue, Known};
use pacta_core::catalogue::{Catalogue, Lifecycle};
use pacta_store::{Db, DbKind, Stamp, StoreError};

/// Every write in these tests is stamped at one instant: the store never reads the time.
fn by(actor: &str) -> Stamp<'_> {
    Stamp::new(actor, jiff::Timestamp::from_second(1_800_000_000).unwrap())
}

fn small() -> Catalogue {
    let src = include_str!("../../../testdata/small-catalogue.yaml");
    read_catalogue(&parse_yaml(src).unwrap(), &Known::default()).unwrap()
}

use pacta_store::contract;

#[test]
fn migrations_have_the_same_versions_on_both_backends() {
    let sqlite = Db::migration_versions(DbKind::Sqlite);
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, Db::migration_versions(DbKind::Postgres));
}

contract!(
    a_fresh_database_has_an_empty_catalogue,
    |db: Db| async move {
        db.ping().await.unwrap();
        let stored = db.load_catalogue().await.unwrap();
        assert_eq!(stored.catalogue, Catalogue::default());
        assert_eq!(stored.revision, 0);
    }
);

contract!(
    import_writes_everything_and_is_idempotent,
    |db: Db| async move {
        let incoming = small();
        let p = plan(&Catalogue::default(), &incoming, false);
        assert!(p.changes.iter().all(|c| c.action == Action::Created));
        let outcome = db.apply_import(&p, by("test")).await.unwrap();
        assert_eq!(outcome.written, 1 + 3 + 2 + 4);
        let stored = db.load_catalogue().await.unwrap();
        assert_eq!(
            stored.catalogue,
            pacta_core::catalogue::export::canonical(&incoming)
        );
        assert_eq!(stored.revision, 1);
        // Published services get version 1; the draft none.
        assert_eq!(stored.versions["WEB-HOSTING"], 1);
        assert_eq!(stored.versions["DRAFT-SERVICE"], 0);
        // The same import again changes nothing.
        let again = plan(&stored.catalogue, &incoming, false);
        assert!(again.is_noop());
        assert_eq!(
            db.apply_import(&again, by("test")).await.unwrap().written,
            0
        );
        assert_eq!(db.load_catalogue().await.unwrap().revision, 1);
    }
);

contract!(
    import_of_a_changed_published_service_records_a_new_version,
    |db: Db| async move {
        db.apply_import(&plan(&Catalogue::default(), &small(), false), by("test"))
            .await
            .unwrap();
        let mut changed = small();
        changed.services.retain(|s| s.code == "WEB-HOSTING");
        changed.services[0].summary.0.clear();
        let stored = db.load_catalogue().await.unwrap();
        let p = plan(&stored.catalogue, &changed, false);
        let updated: Vec<_> = p
            .changes
            .iter()
            .filter(|c| c.action == Action::Updated)
            .collect();
        assert_eq!(updated.len(), 1);
        assert_eq!(
            (updated[0].kind, updated[0].code.as_str()),
            (Kind::Service, "WEB-HOSTING")
        );
        db.apply_import(&p, by("test")).await.unwrap();
        let stored = db.load_catalogue().await.unwrap();
        assert_eq!(stored.versions["WEB-HOSTING"], 2);
        // Import never deletes without prune.
        assert_eq!(stored.catalogue.services.len(), 4);
        let versions = db.service_versions("WEB-HOSTING").await.unwrap();
        assert_eq!(
            versions.iter().map(|v| v.version).collect::<Vec<_>>(),
            vec![1, 2]
        );
        let v1 = db.service_version("WEB-HOSTING", 1).await.unwrap().unwrap();
        assert!(!v1.summary.is_empty());
    }
);

contract!(prune_deletes_what_the_file_lacks, |db: Db| async move {
    db.apply_import(&plan(&Catalogue::default(), &small(), false), by("test"))
        .await
        .unwrap();
    let mut fewer = small();
    fewer.services.retain(|s| s.code != "DRAFT-SERVICE");
    let stored = db.load_catalogue().await.unwrap();
    let p = plan(&stored.catalogue, &fewer, true);
    assert!(p
        .changes
        .iter()
        .any(|c| c.action == Action::Deleted && c.code == "DRAFT-SERVICE"));
    db.apply_import(&p, by("test")).await.unwrap();
    let stored = db.load_catalogue().await.unwrap();
    assert!(stored
        .catalogue
        .services
        .iter()
        .all(|s| s.code != "DRAFT-SERVICE"));
});

contract!(create_refuses_a_duplicate_code, |db: Db| async move {
    let cat = small();
    let service = &cat.services[0];
    assert_eq!(db.create_entity(service, by("test")).await.unwrap(), 1);
    let err = db.create_entity(service, by("test")).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err:?}");
    assert_eq!(
        db.audit_count(Kind::Service, &service.code).await.unwrap(),
        1
    );
});

contract!(update_needs_the_current_revision, |db: Db| async move {
    let cat = small();
    let mut service = cat.services[2].clone(); // the draft
    db.create_entity(&service, by("test")).await.unwrap();
    service.summary = pacta_core::text::Text::same("changed");
    assert_eq!(db.update_entity(&service, 1, by("test")).await.unwrap(), 2);
    let err = db.update_entity(&service, 1, by("test")).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Stale {
                expected: 1,
                current: 2,
                ..
            }
        ),
        "{err:?}"
    );
    let missing = pacta_core::catalogue::Service {
        code: "NOPE".into(),
        ..service.clone()
    };
    assert!(matches!(
        db.update_entity(&missing, 1, by("test")).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    // A draft's edit is no publication.
    assert_eq!(
        db.load_catalogue().await.unwrap().versions["DRAFT-SERVICE"],
        0
    );
});

contract!(
    publish_and_retire_follow_the_lifecycle,
    |db: Db| async move {
        let cat = small();
        let draft = cat.services[2].clone();
        db.create_entity(&draft, by("test")).await.unwrap();
        let (rev, version) = db
            .set_service_status("DRAFT-SERVICE", Lifecycle::Published, 1, by("editor"))
            .await
            .unwrap();
        assert_eq!((rev, version), (2, 1));
        assert!(matches!(
            db.set_service_status("DRAFT-SERVICE", Lifecycle::Published, 2, by("editor"))
                .await
                .unwrap_err(),
            StoreError::Rejected(_)
        ));
        assert!(matches!(
            db.set_service_status("DRAFT-SERVICE", Lifecycle::Retired, 1, by("editor"))
                .await
                .unwrap_err(),
            StoreError::Stale { .. }
        ));
        let (rev, version) = db
            .set_service_status("DRAFT-SERVICE", Lifecycle::Retired, 2, by("editor"))
            .await
            .unwrap();
        assert_eq!((rev, version), (3, 1));
        let stored = db.load_catalogue().await.unwrap();
        assert_eq!(stored.catalogue.services[0].status, Lifecycle::Retired);
        let versions = db.service_versions("DRAFT-SERVICE").await.unwrap();
        assert_eq!(versions.len(), 1);
        assert_eq!(versions[0].published_by, "editor");
        // An edit of a published service is live, so it is a new version.
        let mut live = cat.services[0].clone();
        db.create_entity(&live, by("test")).await.unwrap();
        db.set_service_status("WEB-HOSTING", Lifecycle::Published, 1, by("editor"))
            .await
            .unwrap_err();
        live.summary = pacta_core::text::Text::same("new");
        db.update_entity(&live, 1, by("editor")).await.unwrap();
        assert_eq!(db.service_versions("WEB-HOSTING").await.unwrap().len(), 1);
    }
);

contract!(
    writes_carry_the_instant_their_caller_gives,
    |db: Db| async move {
        let draft = small().services[2].clone();
        let created = jiff::Timestamp::from_second(1_700_000_000).unwrap();
        let published = jiff::Timestamp::from_second(1_900_000_000).unwrap();
        db.create_entity(&draft, Stamp::new("editor", created))
            .await
            .unwrap();
        db.set_service_status(
            "DRAFT-SERVICE",
            Lifecycle::Published,
            1,
            Stamp::new("editor", published),
        )
        .await
        .unwrap();
        let versions = db.service_versions("DRAFT-SERVICE").await.unwrap();
        assert_eq!(versions[0].published_at, published.as_second());
        assert_eq!(
            db.audit_count(Kind::Service, "DRAFT-SERVICE")
                .await
                .unwrap(),
            2
        );
    }
);

contract!(
    a_catalogue_calendar_is_found_by_its_code,
    |db: Db| async move {
        db.apply_import(&plan(&Catalogue::default(), &small(), false), by("test"))
            .await
            .unwrap();
        let stored = db.load_catalogue().await.unwrap();
        let Some(expected) = stored.catalogue.calendars.first() else {
            panic!("the small catalogue defines a calendar");
        };
        let found = db.calendar(&expected.code).await.unwrap();
        assert_eq!(found.as_ref(), Some(expected));
        assert!(found.unwrap().build().is_ok());
        assert_eq!(db.calendar("no-such-calendar").await.unwrap(), None);
    }
);

// ---- partners, users, tokens (issue 8) ----

use pacta_core::access::{Grant, Role, User};
use pacta_core::partner::{ContactRole, Partner, PartnerContact};
use pacta_core::text::{Lang, Text};
use pacta_store::accounts::{LinkPurpose, UserFilter};
use pacta_store::audit::AuditFilter;
use pacta_store::Scope;

fn partner(code: &str) -> Partner {
    Partner {
        code: code.into(),
        name: Text::new().with(Lang::En, code),
        lang: Lang::Fr,
        local_helpdesk: true,
        prm: None,
        contacts: vec![PartnerContact {
            name: "Jan".into(),
            email: format!("jan@{}.example", code.to_lowercase()),
            phone: None,
            roles: vec![ContactRole::LocalHelpdesk],
        }],
    }
}

fn person(email: &str, partner: Option<&str>, roles: &[&str]) -> User {
    User {
        email: email.into(),
        name: email.into(),
        partner: partner.map(Into::into),
        lang: Lang::Nl,
        roles: roles.iter().map(|r| Grant::parse(r).unwrap()).collect(),
        disabled: false,
    }
}

contract!(
    partners_are_kept_by_code_and_seen_only_in_scope,
    |db: Db| async move {
        assert_eq!(
            db.create_partner(&partner("P-A"), by("cli")).await.unwrap(),
            1
        );
        db.create_partner(&partner("P-B"), by("cli")).await.unwrap();
        assert!(matches!(
            db.create_partner(&partner("P-A"), by("cli"))
                .await
                .unwrap_err(),
            StoreError::Duplicate { .. }
        ));
        let all = db.list_partners(Scope::All).await.unwrap();
        assert_eq!(
            all.iter()
                .map(|p| p.partner.code.as_str())
                .collect::<Vec<_>>(),
            ["P-A", "P-B"]
        );
        assert_eq!(all[0].partner, partner("P-A"));
        let mine = db.list_partners(Scope::Partner("P-B")).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert!(db
            .partner(Scope::Partner("P-B"), "P-A")
            .await
            .unwrap()
            .is_none());
        let mut changed = partner("P-A");
        changed.local_helpdesk = false;
        assert_eq!(db.update_partner(&changed, 1, by("cli")).await.unwrap(), 2);
        assert!(matches!(
            db.update_partner(&changed, 1, by("cli")).await.unwrap_err(),
            StoreError::Stale { .. }
        ));
        // A PRM must hold prm over the partner.
        let mut with_prm = changed.clone();
        with_prm.prm = Some("prm@provider.example".into());
        assert!(matches!(
            db.update_partner(&with_prm, 2, by("cli")).await.unwrap_err(),
            StoreError::Invalid { ref field, .. } if field == "prm"
        ));
        db.add_user(
            &person("prm@provider.example", None, &["prm:P-A"]),
            None,
            by("cli"),
        )
        .await
        .unwrap();
        assert_eq!(db.update_partner(&with_prm, 2, by("cli")).await.unwrap(), 3);
        // Every write is audited with its partner.
        let audit = db
            .audit_entries(&AuditFilter {
                partner: Some("P-A".into()),
                kind: Some("partner".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(audit.len(), 3);
        assert_eq!(audit[0].action, "create");
        assert!(audit[2]
            .after
            .as_deref()
            .unwrap()
            .contains("prm@provider.example"));
    }
);

contract!(
    an_import_writes_every_partner_or_none,
    |db: Db| async move {
        let mut bad = partner("P-C");
        bad.prm = Some("nobody@provider.example".into());
        let writes = vec![partner("P-A"), bad];
        assert!(db.import_partners(&writes, by("cli")).await.is_err());
        assert!(
            db.list_partners(Scope::All).await.unwrap().is_empty(),
            "all or none"
        );
        assert_eq!(
            db.import_partners(&writes[..1], by("cli")).await.unwrap(),
            1
        );
        assert_eq!(db.list_partners(Scope::All).await.unwrap().len(), 1);
    }
);

contract!(
    users_reference_stored_partners_and_services,
    |db: Db| async move {
        db.create_partner(&partner("P-A"), by("cli")).await.unwrap();
        db.apply_import(&plan(&Catalogue::default(), &small(), false), by("test"))
            .await
            .unwrap();
        db.add_user(
            &person(
                "sm@provider.example",
                None,
                &["service-manager:WEB-HOSTING"],
            ),
            None,
            by("cli"),
        )
        .await
        .unwrap();
        db.add_user(
            &person("admin@p-a.example", Some("P-A"), &["partner-admin"]),
            None,
            by("cli"),
        )
        .await
        .unwrap();
        let refused = [
            person("x@provider.example", None, &["service-manager:NO-SUCH"]),
            person("y@provider.example", None, &["prm:P-Z"]),
            person("z@p-z.example", Some("P-Z"), &["viewer"]),
        ];
        for user in &refused {
            assert!(
                matches!(
                    db.add_user(user, None, by("cli")).await.unwrap_err(),
                    StoreError::Invalid { .. }
                ),
                "{}",
                user.email
            );
        }
        assert!(matches!(
            db.add_user(&person("sm@provider.example", None, &[]), None, by("cli"))
                .await
                .unwrap_err(),
            StoreError::Duplicate { .. }
        ));
        // Lists and reads are scoped.
        let all = db
            .list_users(Scope::All, &UserFilter::default())
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        let theirs = db
            .list_users(Scope::Partner("P-A"), &UserFilter::default())
            .await
            .unwrap();
        assert_eq!(theirs.len(), 1);
        assert_eq!(theirs[0].email, "admin@p-a.example");
        assert!(db
            .user(Scope::Partner("P-A"), "sm@provider.example")
            .await
            .unwrap()
            .is_none());
        let managers = db
            .list_users(
                Scope::All,
                &UserFilter {
                    role: Some(Role::ServiceManager),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(managers.len(), 1);
        // Roles are replaced whole, checked, audited.
        db.set_user_roles(
            "sm@provider.example",
            &[Grant::parse("helpdesk-agent").unwrap()],
            by("cli"),
        )
        .await
        .unwrap();
        assert!(db
            .set_user_roles(
                "sm@provider.example",
                &[Grant::parse("viewer").unwrap()],
                by("cli"),
            )
            .await
            .is_err());
        db.set_user_disabled("sm@provider.example", true, by("cli"))
            .await
            .unwrap();
        let sm = db
            .user(Scope::All, "sm@provider.example")
            .await
            .unwrap()
            .unwrap();
        assert!(sm.disabled);
        assert_eq!(sm.roles, [Grant::unscoped(Role::HelpdeskAgent)]);
        let trail = db
            .audit_entries(&AuditFilter {
                kind: Some("user".into()),
                actor: Some("cli".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["create", "create", "set-roles", "disable"]
        );
    }
);

contract!(
    tokens_and_links_are_shown_once_and_kept_as_hashes,
    |db: Db| async move {
        db.add_user(
            &person("a@provider.example", None, &["admin"]),
            None,
            by("cli"),
        )
        .await
        .unwrap();
        let (id, token) = db
            .create_token("a@provider.example", "ci", Some(2_000_000_000), by("cli"))
            .await
            .unwrap();
        assert!(token.starts_with("pacta_"));
        let link = db
            .create_link(
                "a@provider.example",
                LinkPurpose::Invite,
                1_900_000_000,
                by("cli"),
            )
            .await
            .unwrap();
        assert_ne!(link, token);
        let listed = db.list_tokens(Some("a@provider.example")).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (listed[0].id.as_str(), listed[0].name.as_str()),
            (id.as_str(), "ci")
        );
        assert_eq!(listed[0].revoked_at, None);
        db.revoke_token(&id, by("cli")).await.unwrap();
        db.revoke_token(&id, by("cli")).await.unwrap();
        assert!(db.list_tokens(None).await.unwrap()[0].revoked_at.is_some());
        assert!(matches!(
            db.revoke_token("no-such-token", by("cli"))
                .await
                .unwrap_err(),
            StoreError::NotFound { .. }
        ));
        // No secret reaches the audit log.
        for entry in db.audit_entries(&AuditFilter::default()).await.unwrap() {
            for doc in [&entry.before, &entry.after].into_iter().flatten() {
                assert!(!doc.contains(&token) && !doc.contains(&link), "{doc}");
                assert!(!doc.contains(&pacta_store::credentials::token_hash(&token)));
            }
        }
    }
);

contract!(
    sessions_expire_idle_and_absolute_and_end_on_sign_out,
    |db: Db| async move {
        use pacta_store::accounts::SessionLimits;
        db.add_user(
            &person("a@provider.example", None, &["admin"]),
            Some("hash"),
            by("cli"),
        )
        .await
        .unwrap();
        let t = 1_800_000_000;
        let limits = SessionLimits {
            idle: 100,
            absolute: 1000,
        };
        let token = db
            .create_session(
                "a@provider.example",
                Stamp::new(
                    "a@provider.example",
                    jiff::Timestamp::from_second(t).unwrap(),
                ),
            )
            .await
            .unwrap();
        let user = |at: i64| {
            let db = db.clone();
            let token = token.clone();
            async move {
                db.session_user(&token, at, limits)
                    .await
                    .unwrap()
                    .map(|u| u.email)
            }
        };
        assert_eq!(user(t + 99).await.as_deref(), Some("a@provider.example"));
        // Seen at t + 99 (a minute passed): idle counts from there.
        assert!(user(t + 190).await.is_some());
        assert!(user(t + 300).await.is_none(), "idle too long");
        let token2 = db
            .create_session(
                "a@provider.example",
                Stamp::new("x", jiff::Timestamp::from_second(t).unwrap()),
            )
            .await
            .unwrap();
        let mut at = t;
        while at < t + 990 {
            at += 90;
            let ok = db
                .session_user(&token2, at, limits)
                .await
                .unwrap()
                .is_some();
            assert_eq!(ok, at - t < 1000, "at +{}", at - t);
        }
        let token3 = db
            .create_session(
                "a@provider.example",
                Stamp::new("x", jiff::Timestamp::from_second(t).unwrap()),
            )
            .await
            .unwrap();
        db.end_session(&token3, by("x")).await.unwrap();
        assert!(
            db.session_user(&token3, t + 1, limits)
                .await
                .unwrap()
                .is_none(),
            "signed out"
        );
        assert!(db
            .session_user("pacta_unknown", t, limits)
            .await
            .unwrap()
            .is_none());
    }
);

contract!(a_one_time_link_sets_a_password_once, |db: Db| async move {
    db.add_user(
        &person("a@provider.example", None, &["admin"]),
        None,
        by("cli"),
    )
    .await
    .unwrap();
    let now = 1_800_000_000;
    let link = db
        .create_link(
            "a@provider.example",
            LinkPurpose::Invite,
            now + 100,
            by("cli"),
        )
        .await
        .unwrap();
    let (user, purpose) = db.link_user(&link, now).await.unwrap().unwrap();
    assert_eq!(
        (user.email.as_str(), purpose.as_str()),
        ("a@provider.example", "invite")
    );
    assert!(
        db.link_user(&link, now + 100).await.unwrap().is_none(),
        "expired"
    );
    let at = |s: i64| {
        Stamp::new(
            "a@provider.example",
            jiff::Timestamp::from_second(s).unwrap(),
        )
    };
    let set = db
        .set_password_by_link(&link, "new-hash", at(now + 1))
        .await
        .unwrap();
    assert_eq!(set.unwrap().email, "a@provider.example");
    assert!(
        db.set_password_by_link(&link, "again", at(now + 2))
            .await
            .unwrap()
            .is_none(),
        "used"
    );
    let (_, hash) = db
        .user_for_login("a@provider.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hash.as_deref(), Some("new-hash"));
    assert!(db.link_user(&link, now + 3).await.unwrap().is_none());
});

use pacta_store::jobs::NewJob;

contract!(
    jobs_are_enqueued_once_and_taken_once_under_a_lease,
    |db: Db| async move {
        let t = |s: i64| jiff::Timestamp::from_second(1_800_000_000 + s).unwrap();
        let a = NewJob::new("test.job", "a", t(0));
        let b = NewJob::new("test.job", "b", t(10));
        // The same kind, subject and due instant twice is one job, in one call or two; another
        // due instant of the same subject is another job.
        db.enqueue_jobs(&[a.clone(), a.clone()], by("test"))
            .await
            .unwrap();
        db.enqueue_jobs(&[a.clone(), b.clone()], by("test"))
            .await
            .unwrap();
        let pending = db.pending_jobs().await.unwrap();
        let listed: Vec<(&str, i64, i64)> = pending
            .iter()
            .map(|p| (p.job.subject.as_str(), p.job.due_at, p.job.attempts))
            .collect();
        assert_eq!(
            listed,
            [("a", t(0).as_second(), 0), ("b", t(10).as_second(), 0)]
        );

        // Two runners at the same instant, at once: only `a` is due, one of them gets it.
        let (r1, r2) = tokio::join!(
            db.take_job(t(5), t(5), "r1", t(65)),
            db.take_job(t(5), t(5), "r2", t(65)),
        );
        let (r1, r2) = (r1.unwrap(), r2.unwrap());
        let taken: Vec<_> = [&r1, &r2].into_iter().flatten().collect();
        assert_eq!(taken.len(), 1, "{r1:?} {r2:?}");
        assert_eq!(taken[0].subject, "a");
        let holder = if r1.is_some() { "r1" } else { "r2" };
        let first = taken[0].clone();

        // Later, both due: the next runner gets `b`, never the leased `a`; then nothing.
        let second = db
            .take_job(t(20), t(20), "r3", t(80))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(second.subject, "b");
        assert_ne!(second.id, first.id);
        assert_eq!(db.take_job(t(20), t(20), "r4", t(80)).await.unwrap(), None);
        // Until its lease ends (t + 65 inclusive) `a` is held; after it, it is taken again.
        assert_eq!(db.take_job(t(65), t(65), "r4", t(125)).await.unwrap(), None);
        let again = db
            .take_job(t(66), t(66), "r4", t(126))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (again.id.as_str(), again.subject.as_str()),
            (first.id.as_str(), "a")
        );
        // The first holder lost it: its finish changes nothing.
        db.finish_job(&first.id, holder, t(67)).await.unwrap();
        assert_eq!(db.pending_jobs().await.unwrap().len(), 2);
        // The holder's finish makes it gone, and it is never taken again.
        db.finish_job(&again.id, "r4", t(67)).await.unwrap();
        let left: Vec<String> = db
            .pending_jobs()
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.job.subject)
            .collect();
        assert_eq!(left, ["b"]);
        db.finish_job(&second.id, "r3", t(68)).await.unwrap();
        assert!(db.pending_jobs().await.unwrap().is_empty());
        assert_eq!(
            db.take_job(t(999), t(999), "r5", t(1999)).await.unwrap(),
            None
        );
        // Done is done: enqueuing it again adds nothing.
        db.enqueue_jobs(std::slice::from_ref(&a), by("test"))
            .await
            .unwrap();
        assert!(db.pending_jobs().await.unwrap().is_empty());
        // A job not due yet is not taken.
        db.enqueue_jobs(&[NewJob::new("test.job", "c", t(100))], by("test"))
            .await
            .unwrap();
        assert_eq!(db.take_job(t(99), t(99), "r5", t(159)).await.unwrap(), None);
        assert_eq!(db.next_job_at().await.unwrap(), Some(t(100).as_second()));
    }
);

contract!(
    a_failed_job_runs_again_at_its_retry_and_is_given_up_without_one,
    |db: Db| async move {
        let t = |s: i64| jiff::Timestamp::from_second(1_800_000_000 + s).unwrap();
        db.enqueue_jobs(&[NewJob::new("test.job", "a", t(0))], by("test"))
            .await
            .unwrap();
        let job = db.take_job(t(0), t(0), "r1", t(60)).await.unwrap().unwrap();
        db.fail_job(&job.id, "r1", "boom", t(0), Some(t(60)))
            .await
            .unwrap();
        let pending = db.pending_jobs().await.unwrap();
        assert_eq!(
            (
                pending[0].job.next_at,
                pending[0].job.attempts,
                pending[0].last_error.as_deref()
            ),
            (t(60).as_second(), 1, Some("boom"))
        );
        // The lease is released, but the retry is not due before its instant.
        assert_eq!(db.take_job(t(59), t(59), "r2", t(119)).await.unwrap(), None);
        let job = db
            .take_job(t(60), t(60), "r2", t(120))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (job.due_at, job.next_at, job.attempts),
            (t(0).as_second(), t(60).as_second(), 1)
        );
        db.fail_job(&job.id, "r2", "boom again", t(60), None)
            .await
            .unwrap();
        assert!(db.pending_jobs().await.unwrap().is_empty());
    }
);

contract!(two_deciders_at_once_cannot_both_win, |db: Db| async move {
    use pacta_core::subscription::State;
    use pacta_store::subscriptions::{Effects, NewSubscription, Step};
    db.create_partner(&partner("P-A"), by("cli")).await.unwrap();
    for round in 0..10 {
        let created = db
            .request_subscription(
                &NewSubscription {
                    partner: "P-A".into(),
                    service: "WEB-HOSTING".into(),
                    service_version: 1,
                    pack: format!("pack-{round}"),
                    level: None,
                    options: vec![],
                    quantity: 1,
                    start_date: jiff::civil::date(2027, 1, 1),
                    end_date: None,
                },
                &Effects::default(),
                by("partner"),
            )
            .await
            .unwrap();
        let decide = |action: &'static str, to: State| {
            let db = db.clone();
            let id = created.id.clone();
            async move {
                db.transition_subscription(
                    &id,
                    State::Requested,
                    &[Step {
                        action,
                        to,
                        reason: Some("x".into()),
                    }],
                    None,
                    &Effects::default(),
                    by("manager"),
                )
                .await
            }
        };
        let (approved, rejected) = tokio::join!(
            decide("approve", State::Approved),
            decide("reject", State::Rejected)
        );
        let wins = [&approved, &rejected].iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "round {round}: {approved:?} {rejected:?}");
        for lost in [approved, rejected].into_iter().filter_map(Result::err) {
            assert!(matches!(lost, StoreError::Rejected(_)), "{lost:?}");
        }
        let history = db.subscription_history(&created.id).await.unwrap();
        assert_eq!(history.len(), 2, "round {round}: {history:?}");
        let now = db
            .subscription(Scope::All, &created.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.state, history[1].to);
    }
    // Two requests for the same at once: one is recorded, the other is a duplicate.
    let request = |quantity: i64| {
        let db = db.clone();
        async move {
            db.request_subscription(
                &NewSubscription {
                    partner: "P-A".into(),
                    service: "WEB-HOSTING".into(),
                    service_version: 1,
                    pack: "same".into(),
                    level: None,
                    options: vec![],
                    quantity,
                    start_date: jiff::civil::date(2027, 1, 1),
                    end_date: None,
                },
                &Effects::default(),
                by("partner"),
            )
            .await
        }
    };
    let (one, two) = tokio::join!(request(1), request(2));
    let wins = [&one, &two].iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{one:?} {two:?}");
    for lost in [one, two].into_iter().filter_map(Result::err) {
        assert!(matches!(lost, StoreError::Duplicate { .. }), "{lost:?}");
    }
});

use pacta_core::monitor::{read_monitor, Monitor};
use pacta_store::monitors::MonitorFilter;
use pacta_store::subscriptions::{Effects, NewSubscription};

/// A monitor read from its JSON, as the API reads a body.
fn monitor(json: serde_json::Value) -> Monitor {
    read_monitor(&pacta_core::catalogue::document::Node::from_json(&json)).unwrap()
}

fn tcp_monitor(code: &str, attach: (&str, &str)) -> Monitor {
    let mut body = serde_json::json!({"code": code, "name": {"en": code}, "kind": "tcp",
        "settings": {"host": "db.example.invalid", "port": 5432}});
    body[attach.0] = attach.1.into();
    monitor(body)
}

contract!(
    monitors_are_kept_by_id_and_code_with_their_service_resolved,
    |db: Db| async move {
        db.apply_import(&plan(&Catalogue::default(), &small(), false), by("test"))
            .await
            .unwrap();
        db.create_partner(&partner("P-A"), by("test"))
            .await
            .unwrap();
        db.create_partner(&partner("P-B"), by("test"))
            .await
            .unwrap();
        let sub = db
            .request_subscription(
                &NewSubscription {
                    partner: "P-A".into(),
                    service: "WEB-HOSTING".into(),
                    service_version: 1,
                    pack: "small".into(),
                    level: None,
                    options: vec![],
                    quantity: 1,
                    start_date: jiff::civil::date(2027, 1, 1),
                    end_date: None,
                },
                &Effects::default(),
                by("test"),
            )
            .await
            .unwrap();
        let web = db
            .create_monitor(&tcp_monitor("web", ("service", "WEB-HOSTING")), by("sm"))
            .await
            .unwrap();
        assert_eq!((web.seq, web.revision), (1, 1));
        assert_eq!(
            (web.service.as_str(), web.partner.as_deref()),
            ("WEB-HOSTING", None)
        );
        assert_eq!(web.id.len(), 36);
        // A subscription's monitor watches that subscription's service, for its partner.
        let own = db
            .create_monitor(&tcp_monitor("a-own", ("subscription", &sub.id)), by("sm"))
            .await
            .unwrap();
        assert_eq!(own.seq, 2);
        assert_eq!(
            (own.service.as_str(), own.partner.as_deref()),
            ("WEB-HOSTING", Some("P-A"))
        );
        // Duplicates and unknown references are refused, nothing written.
        assert!(matches!(
            db.create_monitor(
                &tcp_monitor("web", ("service", "DIGITAL-WORKPLACE")),
                by("sm")
            )
            .await,
            Err(StoreError::Duplicate {
                kind: "monitor",
                ..
            })
        ));
        match db
            .create_monitor(&tcp_monitor("x", ("service", "NOPE")), by("sm"))
            .await
        {
            Err(StoreError::Invalid { field, message }) => {
                assert_eq!(field, "service");
                assert!(message.contains("NOPE"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        match db
            .create_monitor(&tcp_monitor("x", ("subscription", "no-such-id")), by("sm"))
            .await
        {
            Err(StoreError::Invalid { field, .. }) => assert_eq!(field, "subscription"),
            other => panic!("{other:?}"),
        }
        // Reads: by id and in a scope; a partner sees the services' monitors and its own only.
        assert_eq!(
            db.monitor(Scope::All, &own.id).await.unwrap(),
            Some(own.clone())
        );
        assert_eq!(
            db.monitor(Scope::Partner("P-B"), &own.id).await.unwrap(),
            None
        );
        assert!(db
            .monitor(Scope::Partner("P-B"), &web.id)
            .await
            .unwrap()
            .is_some());
        let codes = |list: Vec<pacta_store::monitors::StoredMonitor>| {
            list.into_iter().map(|m| m.monitor.code).collect::<Vec<_>>()
        };
        let all = MonitorFilter::default();
        assert_eq!(
            codes(db.list_monitors(Scope::All, &all).await.unwrap()),
            ["a-own", "web"]
        );
        assert_eq!(
            codes(db.list_monitors(Scope::Partner("P-B"), &all).await.unwrap()),
            ["web"]
        );
        let mail = MonitorFilter {
            service: Some("DIGITAL-WORKPLACE".into()),
        };
        assert!(db
            .list_monitors(Scope::All, &mail)
            .await
            .unwrap()
            .is_empty());
        let webs = MonitorFilter {
            service: Some("WEB-HOSTING".into()),
        };
        assert_eq!(db.list_monitors(Scope::All, &webs).await.unwrap().len(), 2);

        // An update needs the current revision; it may move the monitor and rename it.
        let moved = tcp_monitor("web-moved", ("service", "DIGITAL-WORKPLACE"));
        assert!(matches!(
            db.update_monitor(&web.id, &moved, 7, by("sm")).await,
            Err(StoreError::Stale {
                expected: 7,
                current: 1,
                ..
            })
        ));
        assert!(matches!(
            db.update_monitor(
                &web.id,
                &tcp_monitor("a-own", ("service", "WEB-HOSTING")),
                1,
                by("sm")
            )
            .await,
            Err(StoreError::Duplicate { .. })
        ));
        assert!(matches!(
            db.update_monitor(
                &web.id,
                &tcp_monitor("web", ("service", "NOPE")),
                1,
                by("sm")
            )
            .await,
            Err(StoreError::Invalid { .. })
        ));
        let updated = db
            .update_monitor(&web.id, &moved, 1, by("sm"))
            .await
            .unwrap();
        assert_eq!((updated.revision, updated.seq), (2, 1));
        assert_eq!(updated.service, "DIGITAL-WORKPLACE");
        assert_eq!(
            db.list_monitors(Scope::All, &mail).await.unwrap(),
            std::slice::from_ref(&updated)
        );
        assert!(matches!(
            db.update_monitor("no-such-id", &moved, 1, by("sm")).await,
            Err(StoreError::NotFound { .. })
        ));

        // A delete; its seq is never given again.
        db.delete_monitor(&web.id, by("sm")).await.unwrap();
        assert_eq!(db.monitor(Scope::All, &web.id).await.unwrap(), None);
        assert!(matches!(
            db.delete_monitor(&web.id, by("sm")).await,
            Err(StoreError::NotFound { .. })
        ));
        let after = db
            .create_monitor(&tcp_monitor("web", ("service", "WEB-HOSTING")), by("sm"))
            .await
            .unwrap();
        assert_eq!(after.seq, 3);

        // Every write is audited, with the partner of a subscription's monitor.
        let entries = db
            .audit_entries(&AuditFilter {
                kind: Some("monitor".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["create", "create", "update", "delete", "create"]);
        assert_eq!(entries[1].partner.as_deref(), Some("P-A"));
        assert_eq!(entries[3].after, None);
        assert!(entries[3].before.as_deref().unwrap().contains("web-moved"));
    }
);

contract!(
    a_monitors_import_upserts_by_code_all_or_nothing,
    |db: Db| async move {
        db.apply_import(&plan(&Catalogue::default(), &small(), false), by("test"))
            .await
            .unwrap();
        let first = db
            .create_monitor(&tcp_monitor("a", ("service", "WEB-HOSTING")), by("sm"))
            .await
            .unwrap();
        // One bad reference: nothing of the import is written.
        let writes = [
            tcp_monitor("a", ("service", "DIGITAL-WORKPLACE")),
            tcp_monitor("b", ("service", "WEB-HOSTING")),
            tcp_monitor("c", ("service", "NOPE")),
        ];
        match db.import_monitors(&writes, by("cli")).await {
            Err(StoreError::Invalid { field, .. }) => assert_eq!(field, "monitor c: service"),
            other => panic!("{other:?}"),
        }
        let all = db
            .list_monitors(Scope::All, &MonitorFilter::default())
            .await
            .unwrap();
        assert_eq!(all, std::slice::from_ref(&first));
        // Without it: `a` updated in place (same id and seq), `b` created.
        assert_eq!(
            db.import_monitors(&writes[..2], by("cli")).await.unwrap(),
            2
        );
        let all = db
            .list_monitors(Scope::All, &MonitorFilter::default())
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(
            (all[0].id.as_str(), all[0].seq, all[0].revision),
            (first.id.as_str(), 1, 2)
        );
        assert_eq!(all[0].service, "DIGITAL-WORKPLACE");
        // The failed import's seqs were rolled back with it.
        assert_eq!((all[1].monitor.code.as_str(), all[1].seq), ("b", 2));
        assert_eq!(db.import_monitors(&[], by("cli")).await.unwrap(), 0);
    }
);

use pacta_core::incident::{Change as IncidentChange, Incident, Kind as IncidentKind};
use pacta_store::incidents::{IncidentFilter, NewIncident, StoredIncident};
use pacta_store::outbox::NewMail;

fn at(s: &str) -> jiff::Timestamp {
    pacta_core::sla::instant::parse_instant(s).unwrap()
}

fn incident(service: &str, kind: IncidentKind, start: &str, end: Option<&str>) -> Incident {
    Incident {
        service: service.into(),
        kind,
        title: format!("{} {start}", kind.code()),
        start: at(start),
        end: end.map(at),
    }
}

fn a_mail(to: &str, about: &str) -> NewMail {
    NewMail {
        kind: "incident.declared".into(),
        to: to.into(),
        lang: "en".into(),
        subject: format!("incident {about}"),
        text: "t".into(),
        html: "<p>t</p>".into(),
        partner: Some("P-A".into()),
    }
}

contract!(
    incidents_are_declared_read_in_scope_changed_and_updated,
    |db: Db| async move {
        use pacta_core::subscription::State;
        use pacta_store::subscriptions::Step;
        db.apply_import(&plan(&Catalogue::default(), &small(), false), by("test"))
            .await
            .unwrap();
        for code in ["P-A", "P-B"] {
            db.create_partner(&partner(code), by("test")).await.unwrap();
        }
        // P-A's subscription to WEB-HOSTING is approved; P-B's only requested.
        for code in ["P-A", "P-B"] {
            let sub = db
                .request_subscription(
                    &NewSubscription {
                        partner: code.into(),
                        service: "WEB-HOSTING".into(),
                        service_version: 1,
                        pack: "small".into(),
                        level: None,
                        options: vec![],
                        quantity: 1,
                        start_date: jiff::civil::date(2027, 2, 1),
                        end_date: None,
                    },
                    &Effects::default(),
                    by("test"),
                )
                .await
                .unwrap();
            if code == "P-A" {
                db.transition_subscription(
                    &sub.id,
                    State::Requested,
                    &[Step {
                        action: "approve",
                        to: State::Approved,
                        reason: None,
                    }],
                    None,
                    &Effects::default(),
                    by("test"),
                )
                .await
                .unwrap();
            }
        }
        let outbox_before = db.outbox().await.unwrap().len();

        // A declaration with its first update and its mails, in one transaction.
        let web = incident(
            "WEB-HOSTING",
            IncidentKind::Down,
            "2027-01-15T07:00:00Z",
            None,
        );
        let (stored, updates) = db
            .create_incident(
                &NewIncident {
                    incident: web.clone(),
                    update: Some((Lang::Fr, "Nous enquêtons.".into())),
                },
                |id| vec![a_mail("admin@p-a.example", id)],
                by("sm@provider.example"),
            )
            .await
            .unwrap();
        assert_eq!(stored.id.len(), 36);
        assert_eq!(
            (
                &stored.incident,
                stored.revision,
                stored.created_by.as_str()
            ),
            (&web, 1, "sm@provider.example")
        );
        assert_eq!(updates.len(), 1);
        assert_eq!(
            (
                updates[0].update.language,
                updates[0].update.text.as_str(),
                updates[0].update.author.as_str(),
                updates[0].update.at
            ),
            (
                Lang::Fr,
                "Nous enquêtons.",
                "sm@provider.example",
                by("x").at
            )
        );
        let outbox = db.outbox().await.unwrap();
        assert_eq!(outbox.len(), outbox_before + 1);
        assert_eq!(
            outbox.last().unwrap().subject,
            format!("incident {}", stored.id)
        );
        // An unknown service: refused on `service`, nothing written (nor mailed).
        match db
            .create_incident(
                &NewIncident {
                    incident: incident("NOPE", IncidentKind::Down, "2027-01-15T07:00:00Z", None),
                    update: Some((Lang::En, "x".into())),
                },
                |id| vec![a_mail("admin@p-a.example", id)],
                by("sm"),
            )
            .await
        {
            Err(StoreError::Invalid { field, message }) => {
                assert_eq!(field, "service");
                assert!(message.contains("NOPE"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(db.outbox().await.unwrap().len(), outbox_before + 1);

        // Two more: a closed degraded one of WEB-HOSTING, one of DIGITAL-WORKPLACE.
        let (older, _) = db
            .create_incident(
                &NewIncident {
                    incident: incident(
                        "WEB-HOSTING",
                        IncidentKind::Degraded,
                        "2027-01-10T07:00:00Z",
                        Some("2027-01-10T08:00:00Z"),
                    ),
                    update: None,
                },
                |_| vec![],
                by("sm"),
            )
            .await
            .unwrap();
        let (other, _) = db
            .create_incident(
                &NewIncident {
                    incident: incident(
                        "DIGITAL-WORKPLACE",
                        IncidentKind::Down,
                        "2027-01-12T07:00:00Z",
                        None,
                    ),
                    update: None,
                },
                |_| vec![],
                by("sm"),
            )
            .await
            .unwrap();
        let ids = |list: Vec<StoredIncident>| list.into_iter().map(|i| i.id).collect::<Vec<_>>();
        let all = IncidentFilter::default();
        // The latest start first.
        assert_eq!(
            ids(db.list_incidents(Scope::All, &all).await.unwrap()),
            [stored.id.as_str(), other.id.as_str(), older.id.as_str()]
        );
        let of_web = IncidentFilter {
            service: Some("WEB-HOSTING".into()),
            ..Default::default()
        };
        assert_eq!(
            ids(db.list_incidents(Scope::All, &of_web).await.unwrap()),
            [stored.id.as_str(), older.id.as_str()]
        );
        let open = |open| IncidentFilter {
            open: Some(open),
            ..Default::default()
        };
        assert_eq!(
            ids(db.list_incidents(Scope::All, &open(true)).await.unwrap()),
            [stored.id.as_str(), other.id.as_str()]
        );
        assert_eq!(
            ids(db.list_incidents(Scope::All, &open(false)).await.unwrap()),
            [older.id.as_str()]
        );
        // P-A reads its service's incidents; P-B, whose request is not agreed, none.
        assert_eq!(
            ids(db
                .list_incidents(Scope::Partner("P-A"), &all)
                .await
                .unwrap()),
            [stored.id.as_str(), older.id.as_str()]
        );
        assert!(db
            .list_incidents(Scope::Partner("P-B"), &all)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            db.incident(Scope::Partner("P-A"), &stored.id)
                .await
                .unwrap(),
            Some(stored.clone())
        );
        assert_eq!(
            db.incident(Scope::Partner("P-A"), &other.id).await.unwrap(),
            None
        );
        assert_eq!(
            db.incident(Scope::Partner("P-B"), &stored.id)
                .await
                .unwrap(),
            None
        );
        assert_eq!(db.incident(Scope::All, "no-such-id").await.unwrap(), None);

        // A change needs the current revision and passes core's rule at the stamp's instant.
        let end = |s: &str| IncidentChange {
            end: Some(Some(at(s))),
            kind: None,
        };
        assert!(matches!(
            db.change_incident(&stored.id, &end("2027-01-15T07:30:00Z"), 7, by("sm"))
                .await,
            Err(StoreError::Stale {
                expected: 7,
                current: 1,
                ..
            })
        ));
        for bad in ["2027-01-15T07:00:00Z", "2027-01-15T08:00:01Z"] {
            match db.change_incident(&stored.id, &end(bad), 1, by("sm")).await {
                Err(StoreError::Invalid { field, .. }) => assert_eq!(field, "end", "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(matches!(
            db.change_incident("no-such-id", &end("2027-01-15T07:30:00Z"), 1, by("sm"))
                .await,
            Err(StoreError::NotFound { .. })
        ));
        let closed = db
            .change_incident(&stored.id, &end("2027-01-15T07:30:00Z"), 1, by("sm"))
            .await
            .unwrap();
        assert_eq!(
            (closed.revision, closed.incident.end),
            (2, Some(at("2027-01-15T07:30:00Z")))
        );
        // Nothing to change: nothing written.
        let same = db
            .change_incident(&stored.id, &IncidentChange::default(), 2, by("sm"))
            .await
            .unwrap();
        assert_eq!(same, closed);
        assert_eq!(
            db.incident(Scope::All, &stored.id).await.unwrap(),
            Some(closed.clone())
        );

        // Updates: in the order written; an unknown incident is not found.
        db.add_incident_update(
            &stored.id,
            Lang::Nl,
            "Opgelost.",
            &[a_mail("admin@p-a.example", "update")],
            by("sm"),
        )
        .await
        .unwrap();
        assert!(matches!(
            db.add_incident_update("no-such-id", Lang::En, "x", &[], by("sm"))
                .await,
            Err(StoreError::NotFound { .. })
        ));
        let texts: Vec<String> = db
            .incident_updates(&stored.id)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.update.text)
            .collect();
        assert_eq!(texts, ["Nous enquêtons.", "Opgelost."]);
        assert!(db.incident_updates(&older.id).await.unwrap().is_empty());
        assert_eq!(db.outbox().await.unwrap().len(), outbox_before + 2);

        // Every write is audited.
        let entries = db
            .audit_entries(&AuditFilter {
                kind: Some("incident".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "create",
                "post-update",
                "create",
                "create",
                "update",
                "post-update"
            ]
        );
        assert!(entries[4]
            .before
            .as_deref()
            .unwrap()
            .contains("\"end\":null"));
        assert!(entries[4]
            .after
            .as_deref()
            .unwrap()
            .contains("2027-01-15T07:30:00Z"));
    }
);

contract!(
    down_incidents_are_those_of_the_service_that_overlap_the_window,
    |db: Db| async move {
        db.apply_import(&plan(&Catalogue::default(), &small(), false), by("test"))
            .await
            .unwrap();
        for (service, kind, start, end) in [
            // Ends exactly at the window's start: no overlap.
            (
                "WEB-HOSTING",
                IncidentKind::Down,
                "2027-01-01T00:00:00Z",
                Some("2027-01-10T00:00:00Z"),
            ),
            // Across the start.
            (
                "WEB-HOSTING",
                IncidentKind::Down,
                "2027-01-09T00:00:00Z",
                Some("2027-01-10T01:00:00Z"),
            ),
            // Degraded: never.
            (
                "WEB-HOSTING",
                IncidentKind::Degraded,
                "2027-01-11T00:00:00Z",
                None,
            ),
            // Another service.
            (
                "DIGITAL-WORKPLACE",
                IncidentKind::Down,
                "2027-01-11T00:00:00Z",
                None,
            ),
            // Open, inside.
            (
                "WEB-HOSTING",
                IncidentKind::Down,
                "2027-01-12T00:00:00Z",
                None,
            ),
            // Starts exactly at the window's end: no overlap.
            (
                "WEB-HOSTING",
                IncidentKind::Down,
                "2027-01-14T00:00:00Z",
                Some("2027-01-14T01:00:00Z"),
            ),
        ] {
            db.create_incident(
                &NewIncident {
                    incident: incident(service, kind, start, end),
                    update: None,
                },
                |_| vec![],
                by("sm"),
            )
            .await
            .unwrap();
        }
        let spans = db
            .down_incidents(
                "WEB-HOSTING",
                at("2027-01-10T00:00:00Z"),
                at("2027-01-14T00:00:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(
            spans,
            [
                (at("2027-01-09T00:00:00Z"), Some(at("2027-01-10T01:00:00Z"))),
                (at("2027-01-12T00:00:00Z"), None),
            ]
        );
        assert!(db
            .down_incidents(
                "WEB-HOSTING",
                at("2026-01-01T00:00:00Z"),
                at("2026-02-01T00:00:00Z"),
            )
            .await
            .unwrap()
            .is_empty());
    }
);

contract!(
    probers_share_the_shards_and_take_over_a_dead_ones,
    |db: Db| async move {
        use pacta_store::probe_leases::SHARDS;
        let all: Vec<i64> = (0..SHARDS).collect();
        let t = 1_000_000;
        // Alone, a prober holds every shard, and keeps them while it renews.
        let a = db.claim_probe_shards("a", t, 30).await.unwrap();
        assert_eq!((a.shards.clone(), a.others.clone()), (all.clone(), vec![]));
        assert_eq!(
            db.claim_probe_shards("a", t + 10, 30).await.unwrap().shards,
            all
        );
        // A second prober: nothing is free yet.
        let b = db.claim_probe_shards("b", t + 11, 30).await.unwrap();
        assert_eq!(b.shards, Vec::<i64>::new());
        assert_eq!(b.others, vec!["a".to_owned()]);
        match db.kind() {
            pacta_store::DbKind::Postgres => {
                // `a` sees `b` and gives back half; `b` takes it.
                let a = db.claim_probe_shards("a", t + 12, 30).await.unwrap();
                assert_eq!(a.shards, (0..SHARDS / 2).collect::<Vec<_>>());
                let b = db.claim_probe_shards("b", t + 13, 30).await.unwrap();
                assert_eq!(b.shards, (SHARDS / 2..SHARDS).collect::<Vec<_>>());
                // `a` stops: its shards are free at once.
                db.release_probe_shards("a").await.unwrap();
                let b = db.claim_probe_shards("b", t + 14, 30).await.unwrap();
                assert_eq!((b.shards, b.others), (all.clone(), vec![]));
                // `c` joins, then `b` dies: its leases run out at t + 14 + 30.
                let c = db.claim_probe_shards("c", t + 15, 30).await.unwrap();
                assert!(c.shards.is_empty());
                assert_eq!(
                    db.claim_probe_shards("b", t + 16, 30)
                        .await
                        .unwrap()
                        .shards
                        .len(),
                    32
                );
                let c = db.claim_probe_shards("c", t + 17, 30).await.unwrap();
                assert_eq!(c.shards.len(), 32);
                // Before `b`'s lease expires, `c` holds only its half ...
                let c = db.claim_probe_shards("c", t + 40, 30).await.unwrap();
                assert_eq!(c.shards.len(), 32);
                assert_eq!(c.others, vec!["b".to_owned()]);
                // ... after it, all of them.
                let c = db.claim_probe_shards("c", t + 47, 30).await.unwrap();
                assert_eq!((c.shards, c.others), (all.clone(), vec![]));
            }
            pacta_store::DbKind::Sqlite => {
                // One prober at a time: `b` waits while `a`'s lease runs ...
                let b = db.claim_probe_shards("b", t + 39, 30).await.unwrap();
                assert!(b.shards.is_empty());
                assert_eq!(
                    db.claim_probe_shards("a", t + 39, 30).await.unwrap().shards,
                    all
                );
                // ... and takes everything once `a` stops renewing (lease to t + 69).
                let b = db.claim_probe_shards("b", t + 70, 30).await.unwrap();
                assert_eq!((b.shards, b.others), (all.clone(), vec![]));
                // `a` comes back: it waits in turn.
                assert!(db
                    .claim_probe_shards("a", t + 71, 30)
                    .await
                    .unwrap()
                    .shards
                    .is_empty());
                db.release_probe_shards("b").await.unwrap();
                assert_eq!(
                    db.claim_probe_shards("a", t + 72, 30).await.unwrap().shards,
                    all
                );
            }
        }
    }
);

contract!(
    subscriptions_with_lifecycles_answer_what_the_plain_reads_answer,
    |db: Db| async move {
        use pacta_core::subscription::State;
        use pacta_store::subscriptions::{Effects, NewSubscription, Step, SubscriptionFilter};
        db.create_partner(&partner("P-A"), by("cli")).await.unwrap();
        db.create_partner(&partner("P-B"), by("cli")).await.unwrap();
        let at = |s: i64| Stamp::new("manager", jiff::Timestamp::from_second(s).unwrap());
        // Each pack ends in a different state: requested, active, suspended, terminated.
        let mut made = Vec::new();
        for (i, (partner, steps)) in [
            ("P-A", vec![]),
            (
                "P-A",
                vec![("approve", State::Approved), ("activate", State::Active)],
            ),
            (
                "P-B",
                vec![
                    ("approve", State::Approved),
                    ("activate", State::Active),
                    ("suspend", State::Suspended),
                ],
            ),
            (
                "P-B",
                vec![
                    ("approve", State::Approved),
                    ("activate", State::Active),
                    ("terminate", State::Terminated),
                ],
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let created = db
                .request_subscription(
                    &NewSubscription {
                        partner: partner.into(),
                        service: "WEB-HOSTING".into(),
                        service_version: 1,
                        pack: format!("pack \"{i}\" é"),
                        level: (i % 2 == 1).then(|| "gold".to_owned()),
                        options: vec!["backup \"daily\"".into(), "ünicode\n".into()],
                        quantity: 3,
                        start_date: jiff::civil::date(2027, 1, 1),
                        end_date: (i == 2).then(|| jiff::civil::date(2027, 12, 31)),
                    },
                    &Effects::default(),
                    at(1_800_000_000 + i as i64),
                )
                .await
                .unwrap();
            let mut from = State::Requested;
            for (k, (action, to)) in steps.into_iter().enumerate() {
                db.transition_subscription(
                    &created.id,
                    from,
                    &[Step {
                        action,
                        to,
                        reason: None,
                    }],
                    None,
                    &Effects::default(),
                    at(1_800_000_100 + 1_000 * k as i64),
                )
                .await
                .unwrap();
                from = to;
            }
            made.push(created.id);
        }
        let read = db
            .subscriptions_with_lifecycles(&[State::Active, State::Suspended])
            .await
            .unwrap();
        let mut expected = Vec::new();
        for s in db
            .list_subscriptions(Scope::All, &SubscriptionFilter::default())
            .await
            .unwrap()
        {
            if matches!(s.state, State::Active | State::Suspended) {
                let history = db.subscription_history(&s.id).await.unwrap();
                expected.push((s, history.into_iter().map(|h| (h.at, h.to)).collect()));
            }
        }
        assert_eq!(read, expected);
        let ids: Vec<&str> = read.iter().map(|(s, _)| s.id.as_str()).collect();
        assert_eq!(ids, [made[1].as_str(), made[2].as_str()]);
        assert_eq!(
            read[1].1,
            [
                (1_800_000_002, State::Requested),
                (1_800_000_100, State::Approved),
                (1_800_001_100, State::Active),
                (1_800_002_100, State::Suspended),
            ]
        );
        let everything = db
            .subscriptions_with_lifecycles(&[
                State::Requested,
                State::Active,
                State::Suspended,
                State::Terminated,
            ])
            .await
            .unwrap();
        assert_eq!(everything.len(), 4);
        assert!(db
            .subscriptions_with_lifecycles(&[State::Rejected])
            .await
            .unwrap()
            .is_empty());
    }
);
