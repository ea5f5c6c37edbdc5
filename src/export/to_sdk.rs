//! The ASFF objects of `report::asff` as the Security Hub SDK's types: the findings
//! `--security-hub` imports are exactly those `--format asff` prints.

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, Compliance, ComplianceStatus, FindingProviderFields,
    FindingProviderSeverity, Recommendation, RecordState, Remediation, Resource, Severity,
    SeverityLabel, Workflow, WorkflowStatus,
};

use crate::report::asff::{self, AsffFinding, AsffSeverity};

pub fn finding(f: &AsffFinding) -> AwsSecurityFinding {
    let provider = FindingProviderFields::builder()
        .severity(
            FindingProviderSeverity::builder()
                .label(SeverityLabel::from(
                    f.finding_provider_fields.severity.label,
                ))
                .original(f.finding_provider_fields.severity.original)
                .build(),
        )
        .set_types(Some(f.finding_provider_fields.types.clone()))
        .build();
    AwsSecurityFinding::builder()
        .schema_version(f.schema_version)
        .id(&f.id)
        .product_arn(&f.product_arn)
        .product_name(f.product_name)
        .company_name(f.company_name)
        .generator_id(&f.generator_id)
        .aws_account_id(&f.aws_account_id)
        .set_types(Some(f.types.clone()))
        .created_at(&f.created_at)
        .updated_at(&f.updated_at)
        .severity(severity(&f.severity))
        .title(&f.title)
        .description(&f.description)
        .set_remediation(f.remediation.as_ref().map(|r| {
            Remediation::builder()
                .recommendation(
                    Recommendation::builder()
                        .text(&r.recommendation.text)
                        .set_url(r.recommendation.url.clone())
                        .build(),
                )
                .build()
        }))
        .set_product_fields(Some(f.product_fields.clone().into_iter().collect()))
        .set_resources(Some(f.resources.iter().map(resource).collect()))
        .compliance(
            Compliance::builder()
                .status(ComplianceStatus::from(f.compliance.status.as_str()))
                .build(),
        )
        .record_state(RecordState::from(f.record_state.as_str()))
        .workflow(
            Workflow::builder()
                .status(WorkflowStatus::from(f.workflow.status.as_str()))
                .build(),
        )
        .finding_provider_fields(provider)
        .build()
}

fn severity(s: &AsffSeverity) -> Severity {
    Severity::builder()
        .label(SeverityLabel::from(s.label))
        .original(s.original)
        .build()
}

fn resource(r: &asff::AsffResource) -> Resource {
    Resource::builder()
        .r#type(r.resource_type)
        .id(&r.id)
        .partition(aws_sdk_securityhub::types::Partition::from(r.partition))
        .region(&r.region)
        .build()
}
