//! The bundle's provenance graph in CASE/UCO JSON-LD: the investigation,
//! one `File` per exhibit with its hashes (each `Hash` a node of its own,
//! values typed `xsd:hexBinary`), a `ProvenanceRecord` carrying the exhibit
//! number, and one `InvestigativeAction` per custody event with its
//! performer, instrument (Vigil), object and result. Node IRIs end in a
//! UUID derived from what they name, so the same bundle gives the same graph.

use serde_json::{json, Value};

/// An exhibit as the graph describes it.
pub(crate) struct ProvExhibit {
    pub reference: String,
    pub file_name: String,
    pub size: u64,
    pub md5: String,
    pub sha1: String,
    pub sha256: String,
}

/// A custody event as the graph describes it.
pub(crate) struct ProvEvent {
    pub index: u64,
    pub exhibit: String,
    pub kind: String,
    pub actor: String,
    pub time: String,
    pub note: Option<String>,
}

/// A UUID-shaped name for a node, stable for the same input.
fn uuid(seed: &str) -> String {
    let h = blake3::hash(seed.as_bytes());
    let b = h.as_bytes();
    format!(
        "{}-{}-4{}-{:x}{}-{}",
        hex::encode(&b[0..4]),
        hex::encode(&b[4..6]),
        &hex::encode(&b[6..8])[1..],
        8 | (b[8] & 3),
        &hex::encode(&b[8..10])[1..],
        hex::encode(&b[10..16])
    )
}

fn iri(kind: &str, seed: &str) -> String {
    format!("kb:{kind}-{}", uuid(&format!("{kind}\0{seed}")))
}

pub(crate) fn graph(case: &str, title: &str, version: &str, exhibits: &[ProvExhibit], events: &[ProvEvent]) -> Value {
    let tool = iri("tool", &format!("vigil {version}"));
    let investigation = iri("investigation", case);
    let mut nodes: Vec<Value> = vec![json!({
        "@id": tool,
        "@type": "uco-tool:Tool",
        "uco-core:name": "Vigil",
        "uco-tool:toolType": "evidence vault and custody log",
        "uco-tool:version": version,
    })];
    let mut objects: Vec<Value> = Vec::new();
    let mut actors: Vec<String> = events.iter().map(|e| e.actor.clone()).collect();
    actors.sort();
    actors.dedup();
    for a in &actors {
        nodes.push(json!({
            "@id": iri("identity", a),
            "@type": "uco-identity:Identity",
            "uco-core:name": a,
        }));
    }
    for x in exhibits {
        let file = iri("file", &format!("{case}\0{}", x.reference));
        let record = iri("provenance-record", &format!("{case}\0{}", x.reference));
        let hash = |method: &str, value: &str| {
            json!({
                "@id": iri("hash", &format!("{case}\0{}\0{method}", x.reference)),
                "@type": "uco-types:Hash",
                // A plain string since UCO 1.4, drawn from HashNameVocab's values.
                "uco-types:hashMethod": method,
                "uco-types:hashValue": { "@type": "xsd:hexBinary", "@value": value.to_ascii_uppercase() },
            })
        };
        nodes.push(json!({
            "@id": file,
            "@type": "uco-observable:File",
            "uco-core:hasFacet": [
                {
                    "@id": iri("file-facet", &format!("{case}\0{}", x.reference)),
                    "@type": "uco-observable:FileFacet",
                    "uco-observable:fileName": x.file_name,
                    "uco-observable:sizeInBytes": { "@type": "xsd:integer", "@value": x.size.to_string() },
                },
                {
                    "@id": iri("content-data-facet", &format!("{case}\0{}", x.reference)),
                    "@type": "uco-observable:ContentDataFacet",
                    "uco-observable:hash": [hash("MD5", &x.md5), hash("SHA1", &x.sha1), hash("SHA256", &x.sha256)],
                },
            ],
        }));
        nodes.push(json!({
            "@id": record,
            "@type": "case-investigation:ProvenanceRecord",
            "case-investigation:exhibitNumber": x.reference,
            "uco-core:object": [{ "@id": file }],
        }));
        objects.push(json!({ "@id": record }));
    }
    for e in events {
        let action = iri("investigative-action", &format!("{case}\0{}", e.index));
        let file = iri("file", &format!("{case}\0{}", e.exhibit));
        let record = iri("provenance-record", &format!("{case}\0{}", e.exhibit));
        let mut a = json!({
            "@id": action,
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": format!("{} (custody event #{})", e.kind, e.index),
            "uco-action:startTime": { "@type": "xsd:dateTime", "@value": e.time },
            "uco-action:performer": { "@id": iri("identity", &e.actor) },
            "uco-action:instrument": { "@id": tool },
            "uco-action:object": [{ "@id": file }],
            "uco-action:result": [{ "@id": record }],
        });
        if let Some(n) = &e.note {
            a["uco-core:description"] = json!(n);
        }
        nodes.push(a);
        objects.push(json!({ "@id": action }));
    }
    nodes.push(json!({
        "@id": investigation,
        "@type": "case-investigation:Investigation",
        "uco-core:name": case,
        "uco-core:description": title,
        "case-investigation:focus": "online child sexual exploitation",
        "uco-core:object": objects,
    }));
    json!({
        "@context": {
            "kb": "http://example.org/kb/",
            "case-investigation": "https://ontology.caseontology.org/case/investigation/",
            "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
            "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
            "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
            "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
            "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
            "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@graph": nodes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names_are_uuid_shaped_and_stable() {
        let u = uuid("x");
        assert_eq!(u, uuid("x"));
        assert_ne!(u, uuid("y"));
        let parts: Vec<&str> = u.split('-').collect();
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), vec![8, 4, 4, 4, 12]);
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].chars().next(), Some('8' | '9' | 'a' | 'b')));
    }

    #[test]
    fn every_hash_is_its_own_typed_node() {
        let g = graph(
            "DEMO-1",
            "t",
            "0.1.0",
            &[ProvExhibit {
                reference: "PR/1".into(),
                file_name: "PR-1.json".into(),
                size: 3,
                md5: "00".repeat(16),
                sha1: "11".repeat(20),
                sha256: "22".repeat(32),
            }],
            &[ProvEvent {
                index: 0,
                exhibit: "PR/1".into(),
                kind: "received".into(),
                actor: "PR".into(),
                time: "2026-11-26T00:00:00.000Z".into(),
                note: None,
            }],
        );
        let text = g.to_string();
        assert_eq!(text.matches("\"uco-types:Hash\"").count(), 3);
        assert_eq!(text.matches("xsd:hexBinary").count(), 3);
        assert!(text.contains("\"case-investigation:exhibitNumber\":\"PR/1\""));
    }
}
