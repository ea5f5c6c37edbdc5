//! The evaluation, rule by rule, on hand-made evidence.

use crate::answer::compliance::ControlStatus;
use crate::finding::{Evaluated, Finding, Judgement, Muted, Resource, Severity, Status};

use super::evaluate::{evaluate, Evidence, Scanned};
use super::framework::Framework;

fn framework(controls: &str) -> Framework {
    Framework::parse(&format!(
        "id = \"f\"\nname = \"F\"\nversion = \"1\"\nurl = \"u\"\nscope = \"s\"\n\
         [[section]]\nid = \"1\"\ntitle = \"One\"\n{controls}"
    ))
    .expect("framework parses")
}

fn row(check: &str, id: &str, judgement: Judgement, findings: &[&str]) -> Evaluated {
    Evaluated {
        check: check.into(),
        account: "111".into(),
        region: "r".into(),
        resource: Resource {
            resource_type: "AWS::EC2::SecurityGroup".into(),
            id: id.into(),
            arn: None,
            name: None,
        },
        judgement,
        reason: format!("{check} {id}"),
        findings: findings.iter().map(|s| s.to_string()).collect(),
        muted: false,
    }
}

fn finding(check: &str, id: &str, fp: &str, severity: Severity, muted: bool) -> Finding {
    let mut f = Finding::sample(check, "AWS::EC2::SecurityGroup", id);
    f.account = "111".into();
    f.region = "r".into();
    f.status = Status::Fail;
    f.severity = severity;
    f.fingerprint = fp.into();
    f.message = format!("{id} is open");
    f.muted = muted.then(|| Muted {
        reason: "accepted by security".into(),
        expires: None,
        rule: "vpcaudit.toml, mute #1".into(),
    });
    f
}

struct Case {
    ran: Vec<String>,
    gaps: Vec<String>,
    rows: Vec<Evaluated>,
    unscoped: Vec<String>,
    findings: Vec<Finding>,
}

impl Case {
    fn new(ran: &[&str]) -> Case {
        Case {
            ran: ran.iter().map(|s| s.to_string()).collect(),
            gaps: Vec::new(),
            rows: Vec::new(),
            unscoped: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// The one control's (status, reason, passed, failed, excepted).
    fn control(&self, controls: &str) -> crate::answer::compliance::ControlResult {
        let report = evaluate(
            &[framework(controls)],
            &Evidence {
                ran: &self.ran,
                evaluated: &self.rows,
                unscoped: &self.unscoped,
                findings: &self.findings,
                gaps: &self.gaps,
            },
            Scanned {
                collected_at: 0,
                accounts: vec!["111".into()],
                regions: vec!["r".into()],
            },
        );
        report.frameworks[0].sections[0].controls[0].clone()
    }
}

const ONE: &str = "[[control]]\nid = \"1.1\"\nsection = \"1\"\ntitle = \"t\"\nchecks = [{ id = \"a\" }, { id = \"b\" }]\n";

#[test]
fn a_control_without_checks_is_manual_with_its_note() {
    let c = Case::new(&["a"]).control(
        "[[control]]\nid = \"1.1\"\nsection = \"1\"\ntitle = \"t\"\nmanual = \"look at the diagram\"\n",
    );
    assert_eq!(c.status, ControlStatus::Manual);
    assert_eq!(c.reason, "look at the diagram");
}

#[test]
fn one_failing_resource_fails_the_control_and_names_the_finding() {
    let mut case = Case::new(&["a", "b"]);
    case.rows = vec![
        row("a", "sg-1", Judgement::Pass, &[]),
        row("a", "sg-2", Judgement::Fail, &["fp2"]),
        // The same resource passing another check still fails the control.
        row("b", "sg-2", Judgement::Pass, &[]),
        row("b", "sg-3", Judgement::NotApplicable, &[]),
    ];
    case.findings = vec![finding("a", "sg-2", "fp2", Severity::High, false)];
    let c = case.control(ONE);
    assert_eq!(c.status, ControlStatus::Fail);
    assert_eq!(c.reason, "1 of 2 resources fail");
    assert_eq!((c.resources.passed, c.resources.failed), (1, 1));
    assert_eq!(c.resources.not_applicable, 1);
    assert_eq!(c.findings.len(), 1);
    assert_eq!(c.findings[0].resource, "sg-2");
    assert!(c.exceptions.is_empty());
}

#[test]
fn muted_findings_are_exceptions_never_passes() {
    let mut case = Case::new(&["a", "b"]);
    case.rows = vec![
        row("a", "sg-1", Judgement::Pass, &[]),
        row("a", "sg-2", Judgement::Fail, &["fp2"]),
    ];
    case.findings = vec![finding("a", "sg-2", "fp2", Severity::High, true)];
    let c = case.control(ONE);
    assert_eq!(c.status, ControlStatus::Pass);
    assert_eq!(c.resources.passed, 1);
    assert_eq!(c.resources.excepted, 1);
    assert_eq!(c.reason, "1 resource pass; 1 accepted exception (muted)");
    assert!(c.findings.is_empty());
    assert_eq!(c.exceptions.len(), 1);
    assert!(c.exceptions[0]
        .muted
        .as_deref()
        .is_some_and(|m| m.contains("accepted by security")));
}

#[test]
fn findings_of_severities_the_control_does_not_count_leave_the_resource_passing() {
    let mut case = Case::new(&["a"]);
    case.rows = vec![row("a", "sg-1", Judgement::Fail, &["fp1"])];
    case.findings = vec![finding("a", "sg-1", "fp1", Severity::Low, false)];
    let only_high = "[[control]]\nid = \"1.1\"\nsection = \"1\"\ntitle = \"t\"\nchecks = [{ id = \"a\", severities = [\"critical\", \"high\"] }]\n";
    assert_eq!(case.control(only_high).status, ControlStatus::Pass);
    case.findings[0].severity = Severity::High;
    assert_eq!(case.control(only_high).status, ControlStatus::Fail);
}

#[test]
fn a_check_that_did_not_run_or_cannot_list_its_scope_leaves_the_control_unknown() {
    let mut case = Case::new(&["a"]);
    case.rows = vec![row("a", "sg-1", Judgement::Pass, &[])];
    let c = case.control(ONE);
    assert_eq!(c.status, ControlStatus::Unknown);
    assert_eq!(c.reason, "check b was not run");
    assert!(c.checks.iter().any(|r| r.id == "b" && !r.ran));

    let mut case = Case::new(&["a", "b"]);
    case.rows = vec![row("a", "sg-1", Judgement::Pass, &[])];
    case.unscoped = vec!["b".into()];
    assert_eq!(
        case.control(ONE).reason,
        "check b cannot list what it judged"
    );
    // A failure still fails: what is known to be wrong is wrong.
    case.rows.push(row("a", "sg-2", Judgement::Fail, &["fp2"]));
    case.findings = vec![finding("a", "sg-2", "fp2", Severity::High, false)];
    assert_eq!(case.control(ONE).status, ControlStatus::Fail);
}

#[test]
fn an_undecided_finding_makes_the_control_unknown() {
    let mut case = Case::new(&["a", "b"]);
    case.rows = vec![
        row("a", "sg-1", Judgement::Pass, &[]),
        row("b", "sg-2", Judgement::Unknown, &["fp2"]),
    ];
    let mut f = finding("b", "sg-2", "fp2", Severity::High, false);
    f.status = Status::Unknown;
    case.findings = vec![f];
    let c = case.control(ONE);
    assert_eq!(c.status, ControlStatus::Unknown);
    assert_eq!(c.reason, "1 of 2 resources could not be decided");
}

#[test]
fn nothing_to_judge_is_not_applicable() {
    let case = Case::new(&["a", "b"]);
    let c = case.control(ONE);
    assert_eq!(c.status, ControlStatus::NotApplicable);
    let mut case = Case::new(&["a", "b"]);
    case.rows = vec![row("a", "sg-1", Judgement::NotApplicable, &[])];
    assert_eq!(case.control(ONE).status, ControlStatus::NotApplicable);
}

#[test]
fn any_passes_on_one_passing_alternative_and_shows_only_its_evidence() {
    let any = "[[control]]\nid = \"1.1\"\nsection = \"1\"\ntitle = \"t\"\ncombine = \"any\"\nchecks = [{ id = \"a\" }, { id = \"b\" }]\n";
    let mut case = Case::new(&["a", "b"]);
    case.rows = vec![
        row("a", "sg-1", Judgement::Fail, &["fp1"]),
        row("b", "vpc-1", Judgement::Pass, &[]),
    ];
    case.findings = vec![finding("a", "sg-1", "fp1", Severity::High, false)];
    let c = case.control(any);
    assert_eq!(c.status, ControlStatus::Pass);
    assert_eq!((c.resources.passed, c.resources.failed), (1, 0));
    assert!(c.findings.is_empty());
    // Both failing: fail, with both checks' evidence.
    case.rows[1] = row("b", "vpc-1", Judgement::Fail, &["fp2"]);
    case.findings
        .push(finding("b", "vpc-1", "fp2", Severity::High, false));
    let c = case.control(any);
    assert_eq!(c.status, ControlStatus::Fail);
    assert_eq!(c.findings.len(), 2);
    // The same rows under `all` fail on the first.
    case.rows[1] = row("b", "vpc-1", Judgement::Pass, &[]);
    case.findings.pop();
    assert_eq!(case.control(ONE).status, ControlStatus::Fail);
}

#[test]
fn scores_count_controls_and_round_down() {
    let controls = "[[control]]\nid = \"1.1\"\nsection = \"1\"\ntitle = \"t\"\nchecks = [{ id = \"a\" }]\n\
                    [[control]]\nid = \"1.2\"\nsection = \"1\"\ntitle = \"t\"\nchecks = [{ id = \"b\" }]\n\
                    [[control]]\nid = \"1.3\"\nsection = \"1\"\ntitle = \"t\"\nchecks = [{ id = \"c\" }]\n\
                    [[control]]\nid = \"1.4\"\nsection = \"1\"\ntitle = \"t\"\nmanual = \"m\"\n";
    let mut case = Case::new(&["a", "b", "c"]);
    case.rows = vec![
        row("a", "sg-1", Judgement::Pass, &[]),
        row("b", "sg-1", Judgement::Pass, &[]),
        row("c", "sg-1", Judgement::Fail, &["fp"]),
    ];
    case.findings = vec![finding("c", "sg-1", "fp", Severity::High, false)];
    let report = evaluate(
        &[framework(controls)],
        &Evidence {
            ran: &case.ran,
            evaluated: &case.rows,
            unscoped: &case.unscoped,
            findings: &case.findings,
            gaps: &case.gaps,
        },
        Scanned {
            collected_at: 0,
            accounts: Vec::new(),
            regions: Vec::new(),
        },
    );
    let s = &report.frameworks[0].score;
    assert_eq!((s.pass, s.fail, s.manual), (2, 1, 1));
    assert_eq!(s.percent, Some(66));
    assert_eq!(report.frameworks[0].sections[0].score, *s);
}

#[test]
fn only_accepted_exceptions_is_not_a_pass() {
    let mut case = Case::new(&["a", "b"]);
    case.rows = vec![row("a", "sg-2", Judgement::Fail, &["fp2"])];
    case.findings = vec![finding("a", "sg-2", "fp2", Severity::High, true)];
    let c = case.control(ONE);
    assert_eq!(c.status, ControlStatus::Unknown);
    assert_eq!(c.reason, "only accepted exceptions: 1 muted, none passing");
    assert_eq!(c.resources.excepted, 1);
}

#[test]
fn an_undecided_finding_counts_whatever_its_severity() {
    let mut case = Case::new(&["a"]);
    case.rows = vec![row("a", "sg-1", Judgement::Unknown, &["fp1"])];
    let mut f = finding("a", "sg-1", "fp1", Severity::Low, false);
    f.status = Status::Unknown;
    case.findings = vec![f];
    let only_high = "[[control]]\nid = \"1.1\"\nsection = \"1\"\ntitle = \"t\"\nchecks = [{ id = \"a\", severities = [\"high\"] }]\n";
    assert_eq!(case.control(only_high).status, ControlStatus::Unknown);
}

#[test]
fn nothing_passes_where_data_could_not_be_collected() {
    let mut case = Case::new(&["a", "b"]);
    case.rows = vec![row("a", "sg-1", Judgement::Pass, &[])];
    case.gaps = vec!["111 eu-west-1: DescribeSubnets (AccessDenied)".into()];
    let c = case.control(ONE);
    assert_eq!(c.status, ControlStatus::Unknown);
    assert!(c.reason.contains("DescribeSubnets"), "{}", c.reason);
    // What is known to fail still fails.
    case.rows.push(row("b", "sg-2", Judgement::Fail, &["fp2"]));
    case.findings = vec![finding("b", "sg-2", "fp2", Severity::High, false)];
    assert_eq!(case.control(ONE).status, ControlStatus::Fail);
}
