//! Maintenance windows (issue 12) in the store, on SQLite always and on PostgreSQL when
//! `PACTA_TEST_POSTGRES_URL` is set: a proposal with its consultations, answers, an override, a
//! reschedule that keeps started occurrences in their round, a cancel, what a partner's scope
//! sees, and an action checked against the window as read.

use jiff::Timestamp;
use pacta_core::catalogue::document::parse_yaml;
use pacta_core::catalogue::import::plan;
use pacta_core::catalogue::read::{read_catalogue, Known};
use pacta_core::catalogue::Catalogue;
use pacta_core::maintenance::consultation::{consents, PartnerTerms, SubscriptionTerms};
use pacta_core::maintenance::WindowTimes;
use pacta_core::sla::consent::Answer;
use pacta_core::text::{Lang, Text};
use pacta_store::maintenance::{
    Action, Consulted, MaintenanceFilter, NewAnswer, NewTimes, NewWindow, WindowStatus,
};
use pacta_store::{Db, Scope, Stamp, StoreError};

/// An instant of December 2026 (+01:00): "13 02:00".
fn dec(s: &str) -> Timestamp {
    let (day, time) = s.split_once(' ').unwrap();
    pacta_core::sla::instant::parse_instant(&format!("2026-12-{day}T{time}:00+01:00")).unwrap()
}

fn at<'a>(actor: &'a str, s: &str) -> Stamp<'a> {
    Stamp::new(actor, dec(s))
}

use pacta_store::contract;

async fn with_catalogue(db: &Db) {
    let src = include_str!("../../../testdata/small-catalogue.yaml");
    let small = read_catalogue(&parse_yaml(src).unwrap(), &Known::default()).unwrap();
    db.apply_import(
        &plan(&Catalogue::default(), &small, false),
        at("test", "01 00:00"),
    )
    .await
    .unwrap();
}

fn times(start: &str, end: &str, rrule: Option<&str>) -> NewTimes {
    let t = WindowTimes::parse(start, end, rrule).unwrap();
    NewTimes {
        start_local: start.into(),
        end_local: end.into(),
        rrule: t.rrule.as_ref().map(|r| r.to_rule_string()),
        occurrences: t.occurrences(pacta_core::subscription::zone()).unwrap(),
    }
}

fn consulted(partner: &str, notice_days: i64) -> Consulted {
    Consulted {
        partner: partner.into(),
        subscriptions: vec![SubscriptionTerms {
            consulted_at: None,
            from: dec("01 00:00"),
            until: None,
            terms: PartnerTerms {
                notice_seconds: notice_days * 86_400,
                silence_is_consent: true,
            },
        }],
    }
}

fn agree() -> NewAnswer {
    NewAnswer {
        answer: Answer::Agree,
        comment: None,
        occurrence: None,
        alternative: None,
    }
}

fn objection_all() -> NewAnswer {
    NewAnswer {
        answer: Answer::Object,
        comment: Some("No".into()),
        occurrence: None,
        alternative: None,
    }
}

contract!(
    a_window_is_proposed_answered_overridden_rescheduled_and_cancelled,
    |db: Db| async move {
        with_catalogue(&db).await;
        // Two Sundays, 13 and 20 December 2026, 02:00–04:00.
        let new = NewWindow {
            service: "WEB-HOSTING".into(),
            title: Text::new().with(Lang::En, "Storage firmware"),
            description: None,
            times: times(
                "2026-12-13T02:00",
                "2026-12-13T04:00",
                Some("FREQ=WEEKLY;COUNT=2"),
            ),
        };
        let w = db
            .propose_maintenance(
                &new,
                &[
                    consulted("P-A", 5),
                    consulted("P-B", 5),
                    consulted("P-C", 5),
                ],
                |_| Vec::new(),
                at("sm", "01 09:00"),
            )
            .await
            .unwrap();
        assert_eq!((w.round, w.sequence, w.revision), (1, 0, 1));
        assert_eq!(w.occurrences.len(), 2);
        assert_eq!(w.partners(), ["P-A", "P-B", "P-C"]);
        assert_eq!(w.rrule.as_deref(), Some("FREQ=WEEKLY;COUNT=2"));

        // P-A agrees, P-C objects; P-B stays silent.
        let act = |id: String, action: Action, when: &'static str, who: &'static str| {
            let db = db.clone();
            async move {
                db.act_on_maintenance(&id, &action, |_| Ok(()), |_| Vec::new(), at(who, when))
                    .await
            }
        };
        let answer = |p: &str, a: NewAnswer| Action::Answer {
            partner: p.into(),
            answer: a,
        };
        act(
            w.id.clone(),
            answer("P-A", agree()),
            "02 10:00",
            "admin@p-a",
        )
        .await
        .unwrap();
        let objection = NewAnswer {
            answer: Answer::Object,
            comment: Some("Our payroll run".into()),
            occurrence: Some(dec("20 02:00")),
            alternative: Some(("2026-12-27T02:00".into(), "2026-12-27T04:00".into())),
        };
        act(
            w.id.clone(),
            answer("P-C", objection.clone()),
            "03 10:00",
            "admin@p-c",
        )
        .await
        .unwrap();
        let w = act(
            w.id.clone(),
            Action::Override {
                partner: "P-C".into(),
                justification: "Vendor deadline".into(),
            },
            "04 10:00",
            "sm",
        )
        .await
        .unwrap();
        assert_eq!(w.revision, 4);
        let c = w.consultation("P-C", 1).unwrap();
        assert_eq!(c.answers[0].answer, objection);
        assert_eq!(c.answers[0].author, "admin@p-c");
        assert_eq!(c.overrides.last().unwrap().justification, "Vendor deadline");

        // The consents at 14 December (noon): P-A explicit, P-B tacit then pending, P-C tacit then
        // overridden.
        let occurrences = w.occurrences_of(1);
        let now = dec("14 12:00");
        let codes = |p: &str| -> Vec<&'static str> {
            consents(&occurrences, &w.consultation(p, 1).unwrap().rule(), now)
                .unwrap()
                .iter()
                .map(|d| d.consent.code())
                .collect()
        };
        assert_eq!(codes("P-A"), ["explicit", "explicit"]);
        assert_eq!(codes("P-B"), ["tacit", "pending"]);
        assert_eq!(codes("P-C"), ["tacit", "overridden"]);

        // A partner sees the window only with its own consultation; an unconsulted one not.
        let seen = db
            .maintenance_window(Scope::Partner("P-A"), &w.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(seen.partners(), ["P-A"]);
        assert!(db
            .maintenance_window(Scope::Partner("P-Z"), &w.id)
            .await
            .unwrap()
            .is_none());
        let listed = db
            .list_maintenance(Scope::Partner("P-B"), &MaintenanceFilter::default())
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].partners(), ["P-B"]);
        assert!(db
            .list_maintenance(
                Scope::Partner("P-B"),
                &MaintenanceFilter {
                    partner: Some("P-A".into()),
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .is_empty());

        // A refusing check writes nothing.
        let err = db
            .act_on_maintenance(
                &w.id,
                &Action::Cancel,
                |_| Err(StoreError::Rejected("no".into())),
                |_| Vec::new(),
                at("sm", "14 10:00"),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Rejected(_)));

        // On 14 December (the first Sunday has happened) it moves to 27 December: the first
        // occurrence stays in round 1 with its answers; the new one is round 2, consulted anew.
        let w = act(
            w.id.clone(),
            Action::Reschedule {
                times: times("2026-12-27T02:00", "2026-12-27T04:00", None),
                consulted: vec![
                    consulted("P-A", 5),
                    consulted("P-B", 5),
                    consulted("P-C", 5),
                ],
            },
            "14 10:00",
            "sm",
        )
        .await
        .unwrap();
        assert_eq!((w.round, w.sequence), (2, 1));
        let rounds: Vec<(Timestamp, i64)> = w
            .occurrences
            .iter()
            .map(|o| (o.occurrence.start, o.round))
            .collect();
        assert_eq!(rounds, [(dec("13 02:00"), 1), (dec("27 02:00"), 2)]);
        assert_eq!(w.consultation("P-A", 1).unwrap().answers.len(), 1);
        assert!(w.consultation("P-A", 2).unwrap().answers.is_empty());
        assert_eq!(w.start_local, "2026-12-27T02:00");

        // A partner approved later is consulted in the open round.
        let w = act(
            w.id.clone(),
            Action::ConsultLate(consulted("P-D", 5)),
            "15 09:00",
            "pacta",
        )
        .await
        .unwrap();
        assert_eq!(
            w.consultation("P-D", 2).unwrap().consulted_at,
            dec("15 09:00")
        );
        // A further subscription of a consulted partner adds its terms; it is not consulted
        // again (its consulted_at stays).
        let mut stricter = consulted("P-D", 9);
        stricter.subscriptions[0].terms.silence_is_consent = false;
        let w = act(
            w.id.clone(),
            Action::ConsultLate(stricter.clone()),
            "16 09:00",
            "pacta",
        )
        .await
        .unwrap();
        let d = w.consultation("P-D", 2).unwrap();
        assert_eq!(d.consulted_at, dec("15 09:00"));
        // Added on the 16th: the occurrences it meets count as consulted then.
        let added = pacta_core::maintenance::consultation::SubscriptionTerms {
            consulted_at: Some(dec("16 09:00")),
            ..stricter.subscriptions[0]
        };
        assert_eq!(
            d.subscriptions,
            [consulted("P-D", 5).subscriptions[0], added]
        );

        // P-C objects again in round 2 and is overridden twice: both overrides are kept.
        act(
            w.id.clone(),
            answer("P-C", objection_all()),
            "17 09:00",
            "admin@p-c",
        )
        .await
        .unwrap();
        let w = act(
            w.id.clone(),
            Action::Override {
                partner: "P-C".into(),
                justification: "Again".into(),
            },
            "17 10:00",
            "sm",
        )
        .await
        .unwrap();
        let held: Vec<&str> = w
            .consultation("P-C", 1)
            .unwrap()
            .overrides
            .iter()
            .chain(&w.consultation("P-C", 2).unwrap().overrides)
            .map(|o| o.justification.as_str())
            .collect();
        assert_eq!(held, ["Vendor deadline", "Again"]);

        // Cancelled: the started occurrence stays, the later one goes.
        let w = act(w.id.clone(), Action::Cancel, "20 10:00", "sm")
            .await
            .unwrap();
        assert_eq!(w.status, WindowStatus::Cancelled);
        assert_eq!(w.sequence, 2);
        assert_eq!(w.occurrences.len(), 1);
        let missing = db
            .act_on_maintenance(
                "nope",
                &Action::Cancel,
                |_| Ok(()),
                |_| Vec::new(),
                at("sm", "20 10:00"),
            )
            .await
            .unwrap_err();
        assert!(matches!(missing, StoreError::NotFound { .. }));
        // Every action is audited.
        let audit = db
            .audit_entries(&pacta_store::audit::AuditFilter {
                kind: Some("maintenance".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "propose",
                "answer",
                "answer",
                "override",
                "reschedule",
                "consult",
                "consult",
                "answer",
                "override",
                "cancel"
            ]
        );
    }
);

contract!(
    a_proposal_for_an_unknown_service_writes_nothing,
    |db: Db| async move {
        with_catalogue(&db).await;
        let new = NewWindow {
            service: "NO-SUCH".into(),
            title: Text::new().with(Lang::En, "x"),
            description: None,
            times: times("2026-12-13T02:00", "2026-12-13T04:00", None),
        };
        let err = db
            .propose_maintenance(
                &new,
                &[consulted("P-A", 5)],
                |_| Vec::new(),
                at("sm", "01 09:00"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid { ref field, .. } if field == "service"),
            "{err}"
        );
        assert!(db
            .list_maintenance(Scope::All, &MaintenanceFilter::default())
            .await
            .unwrap()
            .is_empty());
    }
);
