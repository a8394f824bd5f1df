-- Whether the workspace last started without the driver's isolation (allowed only by a development setting);
-- the owner API and the portal show it.
ALTER TABLE workspaces ADD COLUMN unisolated boolean NOT NULL DEFAULT false;
