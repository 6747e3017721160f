CREATE TABLE "reports" (
	"id" text PRIMARY KEY NOT NULL,
	"period" text NOT NULL,
	"start" date NOT NULL,
	"period_from" timestamp with time zone NOT NULL,
	"period_to" timestamp with time zone NOT NULL,
	"policy_version" integer NOT NULL,
	"generated_at" timestamp with time zone NOT NULL,
	"content" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rollup_definitions" (
	"name" text PRIMARY KEY NOT NULL,
	"definition_hash" text NOT NULL,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticket_handling_daily" (
	"day" date NOT NULL,
	"unit_id" text NOT NULL,
	"region_code" text NOT NULL,
	"business_environment" boolean NOT NULL,
	"due" integer DEFAULT 0 NOT NULL,
	"completed" integer DEFAULT 0 NOT NULL,
	"completed_on_time" integer DEFAULT 0 NOT NULL,
	"sign_due" integer DEFAULT 0 NOT NULL,
	"signed_on_time" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"basically_satisfied" integer DEFAULT 0 NOT NULL,
	"dissatisfied" integer DEFAULT 0 NOT NULL,
	"unreachable" integer DEFAULT 0 NOT NULL,
	"callbacks_done" integer DEFAULT 0 NOT NULL,
	"awaiting_callback" integer DEFAULT 0 NOT NULL,
	"rehandled" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "ticket_handling_daily_day_unit_id_region_code_business_environment_pk" PRIMARY KEY("day","unit_id","region_code","business_environment")
);
--> statement-breakpoint
CREATE TABLE "ticket_volume_daily" (
	"day" date NOT NULL,
	"dimension" text NOT NULL,
	"key" text NOT NULL,
	"tickets" integer DEFAULT 0 NOT NULL,
	"answered" integer DEFAULT 0 NOT NULL,
	"dispatched" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "ticket_volume_daily_day_dimension_key_pk" PRIMARY KEY("day","dimension","key")
);
--> statement-breakpoint
CREATE INDEX "reports_period_start_idx" ON "reports" USING btree ("period","start");--> statement-breakpoint
CREATE INDEX "tickets_awaiting_callback_idx" ON "tickets" USING btree ("callback_by") WHERE satisfaction is null and status in ('replied', 'closed');