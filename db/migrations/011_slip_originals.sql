-- Slips are stored as decoded and encoded anew (images) or checked (PDFs), so the stored bytes may differ from
-- the uploaded ones: the uploaded file's SHA-256 and size are kept beside the stored file's, for the record
-- (a customer or an auditor can match the file they hold). Slips stored before were stored as uploaded.

ALTER TABLE slips ADD COLUMN original_sha256 text, ADD COLUMN original_size integer;
UPDATE slips SET original_sha256 = sha256, original_size = size;
ALTER TABLE slips
  ALTER COLUMN original_sha256 SET NOT NULL,
  ALTER COLUMN original_size SET NOT NULL,
  ADD CONSTRAINT slips_original_sha256 CHECK (original_sha256 ~ '^[0-9a-f]{64}$'),
  ADD CONSTRAINT slips_original_size CHECK (original_size > 0);
