//! `POST /invitation-batches`, read: the shared choices, and the candidates either as a JSON array
//! (`candidates`) or as CSV text with a header row (`candidatesCsv`, RFC 4180 as spreadsheets
//! export it: UTF-8 with or without a byte order mark, comma or semicolon separated).
//!
//! A fault of the batch itself (its shared fields, a CSV header that is not the candidates', no
//! rows, too many rows) refuses it whole. A fault of one row is that row's verdict, with the same
//! field errors as a single invitation's, their pointers relative to the row (`/email`).

use jiff::Timestamp;
use serde_json::{Map, Value};

use invitations::domain::{
    BatchChoices, BatchRows, CandidateRow, IanaTimeZone, Language, MAX_BATCH_ROWS, RowPosition,
    VideoInterviewId,
};
use invitations::http::validation::{FieldError, FieldErrors, ObjectReader, json_type};

use super::{candidate, new_answer_deadline};

/// A batch as read: what holds for every row, and each row's verdict so far (the store decides
/// which accepted rows are already invited).
#[derive(Debug)]
pub struct NewInvitationBatch {
    pub choices: BatchChoices,
    pub rows: BatchRows<Vec<FieldError>>,
}

/// The columns of a candidates CSV, by their JSON names. A header cell names one if it is that
/// name after dropping case, spaces, `_` and `-` (so `First name`, `first_name` and `FIRSTNAME`
/// all name `firstName`, and `E-mail` names `email`).
const COLUMNS: [&str; 4] = ["firstName", "lastName", "email", "language"];

/// The columns every candidates CSV must have.
const REQUIRED_COLUMNS: [&str; 3] = ["firstName", "lastName", "email"];

/// Parses the batch form. `now` decides which deadlines are in the past; `default_time_zone` is
/// whose day the deadline is when the form names no zone. Errors name every bad field of the
/// batch (the number of rows is judged once they are all good); faults of rows are the rows'
/// verdicts.
pub fn parse_new_invitation_batch(
    body: Map<String, Value>,
    default_time_zone: &IanaTimeZone,
    now: Timestamp,
) -> Result<NewInvitationBatch, Vec<FieldError>> {
    let mut errors = FieldErrors::default();
    let mut reader = ObjectReader::new("", body);
    let video_interview_id = reader.required_parsed(
        "videoInterviewId",
        &mut errors,
        str::parse::<VideoInterviewId>,
    );
    let deadline = new_answer_deadline(&mut reader, default_time_zone, now, &mut errors);
    let default_language = reader.required_parsed("language", &mut errors, str::parse::<Language>);
    let bcc_myself = reader.flag("bccMyself", &mut errors);
    let notify_me = reader.flag("notifyMe", &mut errors);
    let reminders = reader.flag_or("reminders", true, &mut errors);
    let (candidates, candidates_csv) = (reader.take("candidates"), reader.take("candidatesCsv"));
    // Where a fault of the rows as a whole is reported: the field they came in.
    let pointer = if candidates_csv.is_some() {
        "/candidatesCsv"
    } else {
        "/candidates"
    };
    let rows = match (candidates, candidates_csv) {
        (Some(_), Some(_)) => {
            errors.add("", "must have either candidates or candidatesCsv, not both");
            None
        }
        (None, None) => {
            errors.add("/candidates", "is required (or candidatesCsv)");
            None
        }
        (Some(Value::Array(items)), None) => Some(json_rows(items)),
        (Some(other), None) => {
            errors.add(
                "/candidates",
                format!("must be an array, not {}", json_type(&other)),
            );
            None
        }
        (None, Some(Value::String(text))) => errors.check("/candidatesCsv", csv_rows(&text)),
        (None, Some(other)) => {
            errors.add(
                "/candidatesCsv",
                format!("must be a string, not {}", json_type(&other)),
            );
            None
        }
    };
    reader.finish(&mut errors);
    let (Some(video_interview_id), Some(deadline), Some(default_language), Some(rows)) =
        (video_interview_id, deadline, default_language, rows)
    else {
        return Err(errors.into_vec());
    };
    if !errors.is_empty() {
        return Err(errors.into_vec());
    }
    let parsed = rows
        .into_iter()
        .map(|(position, fields)| {
            let row = fields.and_then(|fields| candidate_row(fields, default_language));
            (position, row)
        })
        .collect();
    let rows = BatchRows::judge(parsed)
        .map_err(|error| vec![FieldError::body(pointer, error.to_string())])?;
    Ok(NewInvitationBatch {
        choices: BatchChoices {
            video_interview_id,
            deadline,
            default_language,
            bcc_myself,
            notify_me,
            reminders,
        },
        rows,
    })
}

/// A row's fields, or what is wrong with the row before its fields can be read.
type RowFields = (RowPosition, Result<Map<String, Value>, Vec<FieldError>>);

/// The JSON array's items; one that is not an object is an invalid row. Reads at most one item
/// past [`MAX_BATCH_ROWS`], enough for the batch to be refused.
fn json_rows(items: Vec<Value>) -> Vec<RowFields> {
    items
        .into_iter()
        .take(MAX_BATCH_ROWS + 1)
        .enumerate()
        .map(|(index, item)| {
            let position = RowPosition { index, line: None };
            match item {
                Value::Object(fields) => (position, Ok(fields)),
                other => (
                    position,
                    Err(vec![FieldError::body(
                        "",
                        format!("must be an object, not {}", json_type(&other)),
                    )]),
                ),
            }
        })
        .collect()
}

/// The CSV text's records as fields named by the header row. An empty cell is an absent field.
/// Errors when the text has no header row, or its header names no column of [`COLUMNS`], one
/// twice, or lacks a required one.
fn csv_rows(text: &str) -> Result<Vec<RowFields>, String> {
    // A spreadsheet's byte order mark, which would otherwise start the first column's name.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|error| format!("has no readable header row: {}", csv_fault(&error)))?
        .clone();
    if header.iter().all(str::is_empty) {
        return Err("must start with a header row naming the columns (firstName, lastName, email, and optionally language)".to_owned());
    }
    let columns = header_columns(&header)?;
    let mut lines = LineCounter::new(text);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            // A CSV fault is the whole text's: the reader cannot tell where the next record
            // starts.
            Err(error) => return Err(format!("cannot be read: {}", csv_fault(&error))),
        };
        // Rows a spreadsheet exports empty (`;;;`) are no candidates.
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if rows.len() > MAX_BATCH_ROWS {
            break;
        }
        let position = RowPosition {
            index: rows.len(),
            line: Some(lines.line_of(record.position().map_or(0, csv::Position::byte))),
        };
        rows.push((position, row_fields(&columns, &record)));
    }
    Ok(rows)
}

/// A record's cells by their columns, trimmed, an empty cell being an absent field. Missing cells
/// at the end of a record are empty ones (hand-written CSV omits them); a filled cell under no
/// column makes the row invalid.
fn row_fields(
    columns: &[Option<&'static str>],
    record: &csv::StringRecord,
) -> Result<Map<String, Value>, Vec<FieldError>> {
    let mut fields = Map::new();
    for (number, cell) in record.iter().map(str::trim).enumerate() {
        match columns.get(number).copied().flatten() {
            _ if cell.is_empty() => {}
            Some(column) => {
                fields.insert(column.to_owned(), Value::String(cell.to_owned()));
            }
            None => {
                return Err(vec![FieldError::body(
                    "",
                    format!(
                        "has a value in cell {}, which is under no column of the header",
                        number + 1
                    ),
                )]);
            }
        }
    }
    Ok(fields)
}

/// Line numbers (1-based) of byte offsets into a text, for records met in order: each call counts
/// only the bytes since the previous one. A line ends at `\n`, `\r\n` or a lone `\r` (old Mac
/// exports), as the csv crate reads them.
struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line of the record whose reading began at `ended`: csv gives the offset where the
    /// previous record ended, before the line breaks (and blank lines) that follow it.
    fn line_of(&mut self, ended: u64) -> u64 {
        let ended =
            usize::try_from(ended).map_or(self.bytes.len(), |byte| byte.min(self.bytes.len()));
        let start = ended
            + self.bytes[ended..]
                .iter()
                .take_while(|byte| matches!(byte, b'\r' | b'\n'))
                .count();
        let mut previous = 0;
        for &byte in &self.bytes[self.at.min(start)..start] {
            if byte == b'\n' && previous != b'\r' || byte == b'\r' {
                self.line += 1;
            }
            previous = byte;
        }
        self.at = self.at.max(start);
        self.line
    }
}

/// Where a CSV reader failed, for a person: the line, and why.
fn csv_fault(error: &csv::Error) -> String {
    let why = match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text",
        _ => "not CSV",
    };
    match error.position() {
        Some(position) => format!("line {}: {why}", position.line()),
        None => why.to_owned(),
    }
}

/// The separator of the header row: `;` when it has more semicolons than commas outside quotes
/// (as Finnish and Swedish spreadsheets export CSV, their decimal mark being the comma), else `,`.
fn delimiter(text: &str) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for character in text.chars() {
        match character {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// Each header cell's column; an empty cell (a spreadsheet's trailing separator) names none.
/// Errors name every unknown or repeated cell, and every missing required column.
fn header_columns(header: &csv::StringRecord) -> Result<Vec<Option<&'static str>>, String> {
    let normalized = |cell: &str| -> String {
        cell.chars()
            .filter(|character| !matches!(character, ' ' | '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let mut faults = Vec::new();
    let mut columns = Vec::new();
    for cell in header {
        let column = COLUMNS
            .iter()
            .find(|column| column.to_lowercase() == normalized(cell));
        match column {
            _ if cell.trim().is_empty() => columns.push(None),
            Some(column) if columns.contains(&Some(*column)) => {
                faults.push(format!("names the column {column} twice"));
            }
            Some(column) => columns.push(Some(*column)),
            None => faults.push(format!("has an unknown column {cell:?}")),
        }
    }
    for required in REQUIRED_COLUMNS {
        if !columns.contains(&Some(required)) {
            faults.push(format!("lacks the column {required}"));
        }
    }
    if faults.is_empty() {
        Ok(columns)
    } else {
        Err(format!(
            "header row (line 1) {}: the columns are firstName, lastName, email and optionally \
             language",
            faults.join(", ")
        ))
    }
}

/// One row's candidate: `firstName`, `lastName`, `email`, optional `language` (else the batch's).
fn candidate_row(
    fields: Map<String, Value>,
    default_language: Language,
) -> Result<CandidateRow, Vec<FieldError>> {
    let mut errors = FieldErrors::default();
    let mut reader = ObjectReader::new("", fields);
    let candidate = candidate(&mut reader, &mut errors);
    let language = match reader.optional_string("language", &mut errors) {
        Some(code) => errors.check("/language", code.parse::<Language>()),
        None => Some(default_language),
    };
    reader.finish(&mut errors);
    match (candidate, language) {
        (Some(candidate), Some(language)) if errors.is_empty() => Ok(CandidateRow {
            candidate,
            language,
        }),
        _ => Err(errors.into_vec()),
    }
}

#[cfg(test)]
mod tests {
    use invitations::domain::{RowCounts, RowVerdict};
    use serde_json::json;

    use super::*;

    fn now() -> Timestamp {
        "2026-12-01T10:00:00Z".parse().unwrap()
    }

    fn batch(candidates: (&str, Value)) -> Map<String, Value> {
        let mut body = json!({
            "videoInterviewId": "01JDQ5B3V5Z9K3W8Y4T1M2N6PQ",
            "answerDeadline": "2026-12-15",
            "language": "fi",
            "notifyMe": true,
        });
        body[candidates.0] = candidates.1;
        match body {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    fn parse(body: Map<String, Value>) -> Result<NewInvitationBatch, Vec<FieldError>> {
        parse_new_invitation_batch(
            body,
            &IanaTimeZone::parse("Europe/Helsinki").unwrap(),
            now(),
        )
    }

    fn csv(text: &str) -> NewInvitationBatch {
        parse(batch(("candidatesCsv", json!(text)))).unwrap()
    }

    fn refusal(body: Map<String, Value>) -> Vec<(String, String)> {
        parse(body)
            .unwrap_err()
            .into_iter()
            .map(|error| (error.pointer.unwrap(), error.detail))
            .collect()
    }

    /// Each row: its line, and the candidate's names, address and language, or its errors'
    /// pointers and details.
    fn rows(batch: &NewInvitationBatch) -> Vec<(Option<u64>, String)> {
        batch
            .rows
            .rows()
            .iter()
            .map(|(position, verdict)| {
                let shown = match verdict {
                    RowVerdict::Accepted(row) => format!(
                        "{} | {} | {} | {}",
                        row.candidate.first_name.as_str(),
                        row.candidate.last_name.as_str(),
                        row.candidate.email.as_str(),
                        row.language.code()
                    ),
                    RowVerdict::Invalid(errors) => errors
                        .iter()
                        .map(|error| {
                            format!("{}: {}", error.pointer.as_deref().unwrap(), error.detail)
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                    RowVerdict::Duplicate { of } => format!("duplicate of {of}"),
                    RowVerdict::AlreadyInvited { .. } => unreachable!("decided by the store"),
                };
                (position.line, shown)
            })
            .collect()
    }

    #[test]
    fn a_finnish_spreadsheets_csv_with_bom_semicolons_and_quoted_fields_reads_row_by_row() {
        let text = "\u{feff}First name;Last name;E-mail;Language\r\n\
                    Jürgen;\"Müller; Lüdenscheidt\";jurgen@example.de;en\r\n\
                    \"Åsa\nMaria\";Öberg;asa@example.se;sv\r\n\
                    Päivi;\"Virtanen, \"\"Pipsa\"\"\";paivi@example.fi;\r\n";
        let batch = csv(text);
        assert_eq!(
            rows(&batch),
            [
                (
                    Some(2),
                    "Jürgen | Müller; Lüdenscheidt | jurgen@example.de | en".to_owned()
                ),
                // A name of two lines is no name: the row is invalid, and named by its first line.
                (
                    Some(3),
                    "/firstName: must not contain control, invisible or direction-changing \
                     characters (such as line breaks, tabs, zero-width spaces or bidi overrides)"
                        .to_owned()
                ),
                (
                    Some(5),
                    "Päivi | Virtanen, \"Pipsa\" | paivi@example.fi | fi".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn a_comma_separated_csv_with_a_plain_header_reads_too() {
        let batch = csv(
            "firstName,lastName,email\nAino,\"Lahti, Jr.\",aino@example.fi\n\nEino,Leino,eino@example.fi\n",
        );
        assert_eq!(
            rows(&batch),
            [
                (
                    Some(2),
                    "Aino | Lahti, Jr. | aino@example.fi | fi".to_owned()
                ),
                (Some(4), "Eino | Leino | eino@example.fi | fi".to_owned()),
            ]
        );
    }

    #[test]
    fn a_csv_rows_faults_are_its_own_and_named_as_for_a_single_invitation() {
        let batch = csv("firstName;lastName;email;language\n\
                         ;Virtanen;not-an-address;de\n\
                         Aino;Lahti\n\
                         Aino;Lahti;aino@example.fi;fi;extra\n\
                         Ilona;Ilola;ilona@example.fi;sv;;\n\
                         Eino;Leino;EINO@example.fi\n\
                         Eino;Leino;eino@EXAMPLE.fi\n");
        assert_eq!(
            rows(&batch),
            [
                (
                    Some(2),
                    "/email: must be a valid email address such as name@example.com; \
                     /firstName: is required; /language: must be one of the supported languages: en, fi, sv"
                        .to_owned()
                ),
                (Some(3), "/email: is required".to_owned()),
                (
                    Some(4),
                    ": has a value in cell 5, which is under no column of the header".to_owned()
                ),
                (Some(5), "Ilona | Ilola | ilona@example.fi | sv".to_owned()),
                (Some(6), "Eino | Leino | EINO@example.fi | fi".to_owned()),
                (Some(7), "duplicate of 4".to_owned()),
            ]
        );
        assert_eq!(
            batch.rows.counts(),
            RowCounts {
                accepted: 2,
                invalid: 3,
                duplicate: 1,
                already_invited: 0
            }
        );
    }

    #[test]
    fn a_spreadsheets_empty_rows_trailing_separators_and_old_mac_line_ends_are_no_rows() {
        let batch = csv("firstName;lastName;email;language;;\r\
                         ;;;;;\r\
                         Aino ; Lahti ;aino@example.fi; sv ;;\r\
                         \r\
                         ;  ;;;;\r\
                         Eino;Leino;eino@example.fi;;;x\r");
        assert_eq!(
            rows(&batch),
            [
                (Some(3), "Aino | Lahti | aino@example.fi | sv".to_owned()),
                (
                    Some(6),
                    ": has a value in cell 6, which is under no column of the header".to_owned()
                ),
            ]
        );
        assert_eq!(
            batch
                .rows
                .rows()
                .iter()
                .map(|(position, _)| position.index)
                .collect::<Vec<_>>(),
            [0, 1]
        );
    }

    #[test]
    fn a_csv_whose_header_is_not_the_candidates_is_refused_whole_naming_every_fault() {
        assert_eq!(
            refusal(batch((
                "candidatesCsv",
                json!("name,email,email,phone\nA,a@example.fi,b@example.fi,1\n")
            ))),
            [(
                "/candidatesCsv".to_owned(),
                "header row (line 1) has an unknown column \"name\", names the column email \
                 twice, has an unknown column \"phone\", lacks the column firstName, lacks the \
                 column lastName: the columns are firstName, lastName, email and optionally \
                 language"
                    .to_owned()
            )]
        );
        assert_eq!(
            refusal(batch((
                "candidatesCsv",
                json!("firstName,lastName,email\n")
            ))),
            [(
                "/candidatesCsv".to_owned(),
                "must have at least one candidate".to_owned()
            )]
        );
        assert_eq!(
            refusal(batch(("candidatesCsv", json!(""))))[0].0,
            "/candidatesCsv"
        );
    }

    #[test]
    fn json_rows_are_read_like_the_single_invitation_form() {
        let batch = parse(batch((
            "candidates",
            json!([
                {"firstName": "Aino", "lastName": "Lahti", "email": "aino@example.fi"},
                {"firstName": "Åsa", "lastName": "Öberg", "email": "asa@example.se", "language": "sv"},
                "Eino Leino <eino@example.fi>",
                {"firstName": "Eino", "lastName": "Leino", "email": "eino@example.fi", "phone": "1"},
            ]),
        )))
        .unwrap();
        assert_eq!(
            rows(&batch),
            [
                (None, "Aino | Lahti | aino@example.fi | fi".to_owned()),
                (None, "Åsa | Öberg | asa@example.se | sv".to_owned()),
                (None, ": must be an object, not a string".to_owned()),
                (None, "/phone: is not a known field".to_owned()),
            ]
        );
        assert!(batch.choices.notify_me && batch.choices.reminders && !batch.choices.bcc_myself);
    }

    #[test]
    fn the_batch_itself_is_refused_whole_naming_every_bad_field() {
        let mut body = batch(("candidates", json!([])));
        body.insert("answerDeadline".to_owned(), json!("2026-11-30"));
        body.insert("language".to_owned(), json!("de"));
        body.insert("candidatesCsv".to_owned(), json!("x"));
        body.insert("bcc".to_owned(), json!(true));
        let pointers: Vec<String> = refusal(body)
            .into_iter()
            .map(|(pointer, _)| pointer)
            .collect();
        assert_eq!(pointers, ["", "/answerDeadline", "/bcc", "/language"]);
        assert_eq!(
            refusal(batch(("candidates", json!([])))),
            [(
                "/candidates".to_owned(),
                "must have at least one candidate".to_owned()
            )]
        );
        let many: Vec<Value> = (0..=MAX_BATCH_ROWS)
            .map(
                |n| json!({"firstName": "A", "lastName": "B", "email": format!("a{n}@example.fi")}),
            )
            .collect();
        assert_eq!(
            refusal(batch(("candidates", Value::Array(many)))),
            [(
                "/candidates".to_owned(),
                "must have at most 1000 candidates".to_owned()
            )]
        );
        let mut neither = batch(("candidates", json!([])));
        neither.remove("candidates");
        assert_eq!(refusal(neither)[0].0, "/candidates");
    }

    #[test]
    fn the_bcc_copy_is_the_first_accepted_rows() {
        let mut body = batch((
            "candidates",
            json!([
                {"firstName": "", "lastName": "Lahti", "email": "aino@example.fi"},
                {"firstName": "Eino", "lastName": "Leino", "email": "eino@example.fi"},
                {"firstName": "Aino", "lastName": "Lahti", "email": "aino@example.fi"},
            ]),
        ));
        body.insert("bccMyself".to_owned(), json!(true));
        let batch = parse(body).unwrap();
        let bcc: Vec<bool> = (0..3)
            .map(|index| batch.choices.bcc_for(&batch.rows, index))
            .collect();
        assert_eq!(bcc, [false, true, false]);
    }
}
