// Hand-kept schema: only the SQL types both backends share (see DESIGN §2).

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    teams (id) {
        id -> Text,
        organisation_id -> Text,
        name -> Text,
        kind -> Text,
        wijk -> Nullable<Text>,
        provider_may_direct -> Bool,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        display_name -> Text,
        organisation_id -> Text,
        password_hash -> Text,
        active -> Bool,
        totp_secret -> Nullable<Text>,
        totp_pending_secret -> Nullable<Text>,
        totp_last_step -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deactivated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    user_roles (id) {
        id -> Text,
        user_id -> Text,
        role -> Text,
        team_id -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttle (key) {
        key -> Text,
        failures -> BigInt,
        window_started_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        event_id -> Text,
        chain_id -> Text,
        chain_seq -> BigInt,
        occurred_at -> Timestamp,
        user_id -> Nullable<Text>,
        user_name -> Nullable<Text>,
        role -> Nullable<Text>,
        organisation_id -> Nullable<Text>,
        on_behalf_of -> Nullable<Text>,
        client_address -> Nullable<Text>,
        request_id -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        case_id -> Nullable<Text>,
        household_id -> Nullable<Text>,
        person_ids -> Nullable<Text>,
        basis -> Nullable<Text>,
        basis_id -> Nullable<Text>,
        flagged -> Bool,
        outcome -> Text,
        http_status -> Nullable<Integer>,
        reason -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::joinable!(teams -> organisations (organisation_id));
diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    teams,
    users,
    user_roles,
    sessions,
    refresh_tokens,
    login_throttle,
    audit_events,
);
