-- Where a lead came from: the referring page and the campaign tags of the
-- form's address. The dashboard filters by source, through this index.
ALTER TABLE leads ADD COLUMN referrer TEXT;
ALTER TABLE leads ADD COLUMN utm_source TEXT;
ALTER TABLE leads ADD COLUMN utm_medium TEXT;
ALTER TABLE leads ADD COLUMN utm_campaign TEXT;
CREATE INDEX leads_utm_source ON leads (utm_source, id);
