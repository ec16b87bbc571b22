-- A setup link may belong to an organization made with `passerelle org create`: it
-- creates that organization's first owner. A link without one (the first start's)
-- creates the organization too, while no user exists at all.
ALTER TABLE setup_tokens ADD COLUMN org_id INTEGER REFERENCES organizations(id);
