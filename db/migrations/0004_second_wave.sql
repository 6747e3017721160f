CREATE TABLE "import_jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"principal_id" text NOT NULL,
	"status" text NOT NULL,
	"format" text NOT NULL,
	"charset" text,
	"rows_done" integer DEFAULT 0 NOT NULL,
	"imported" integer DEFAULT 0 NOT NULL,
	"already_present" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"rejections" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"failure" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "idempotency_records" ADD COLUMN "locked_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "ticket_events" ADD COLUMN "update_id" text;--> statement-breakpoint
CREATE INDEX "import_jobs_created_idx" ON "import_jobs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "ticket_events_update_idx" ON "ticket_events" USING btree ("ticket_id","update_id") WHERE "ticket_events"."update_id" is not null;