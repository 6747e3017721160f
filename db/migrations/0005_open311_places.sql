ALTER TABLE "tickets" ADD COLUMN "lat" double precision;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "lng" double precision;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "geo_cell" bigint;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "media_url" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "external_platform" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "external_id" text;--> statement-breakpoint
CREATE INDEX "tickets_geo_cell_idx" ON "tickets" USING btree ("geo_cell","received_at") WHERE "tickets"."geo_cell" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_external_ref_idx" ON "tickets" USING btree ("external_platform","external_id") WHERE "tickets"."external_id" is not null;