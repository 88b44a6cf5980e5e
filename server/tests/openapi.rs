//! The web client's API types are generated from `web-client/openapi.json` (`npm run
//! api:generate`; `npm run api:check` fails when they differ from it). This closes the other half:
//! the committed document must be exactly what the server declares, so a changed handler, DTO or
//! route fails the test command until both copies are regenerated.

#[test]
fn the_web_clients_copy_of_the_api_document_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../web-client/openapi.json");
    let committed = std::fs::read_to_string(path).expect("web-client/openapi.json exists");
    let current = kindred::api::openapi_json();
    assert!(
        committed.trim_end() == current.trim_end(),
        "web-client/openapi.json is out of date: run `cargo run --bin kindred -- openapi > web-client/openapi.json`, \
         then `npm run api:generate` in web-client/"
    );
}

#[test]
fn every_schema_name_is_declared_once() {
    // utoipa keys schemas by name: two types with one name would silently replace each other.
    let doc: serde_json::Value = serde_json::from_str(&kindred::api::openapi_json()).expect("JSON");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for name in ["Question", "SurveyQuestion", "Audience", "SurveyAudience", "QuestionKind", "SurveyQuestionKind"] {
        assert!(schemas.contains_key(name), "{name} is in the document");
    }
    let question = &schemas["Question"]["properties"];
    let survey = &schemas["SurveyQuestion"]["properties"];
    assert_ne!(question, survey, "matching's Question and the survey's are different schemas");
    assert!(doc["components"]["securitySchemes"]["session"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}
