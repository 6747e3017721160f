CREATE TABLE "ticket_photos" (
	"id" text PRIMARY KEY NOT NULL,
	"ticket_id" text NOT NULL,
	"stage" text NOT NULL,
	"content_type" text NOT NULL,
	"bytes" integer NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"storage_key" text NOT NULL,
	"uploaded_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "lat" double precision;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "lng" double precision;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "geo_cell" bigint;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "media_url" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "external_platform" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "ticket_photos" ADD CONSTRAINT "ticket_photos_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ticket_photos_ticket_idx" ON "ticket_photos" USING btree ("ticket_id","created_at");--> statement-breakpoint
CREATE INDEX "tickets_geo_cell_idx" ON "tickets" USING btree ("geo_cell","received_at") WHERE "tickets"."geo_cell" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_external_ref_idx" ON "tickets" USING btree ("external_platform","external_id") WHERE "tickets"."external_id" is not null;