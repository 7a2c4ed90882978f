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
        second_factor -> Bool,
    }
}

diesel::table! {
    web_sessions (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        scope -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
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
    audit_event_persons (person_id, occurred_at, event_row) {
        person_id -> Text,
        occurred_at -> Timestamp,
        event_row -> BigInt,
        allowed -> Bool,
        user_name -> Nullable<Text>,
        role -> Nullable<Text>,
        organisation_id -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        basis -> Nullable<Text>,
        basis_id -> Nullable<Text>,
        flagged -> Bool,
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

diesel::table! {
    persons (id) {
        id -> Text,
        name -> Text,
        birth_date -> Date,
        bsn_encrypted -> Nullable<Binary>,
        bsn_hash -> Nullable<Text>,
        deceased_on -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    parent_child (parent_id, child_id) {
        parent_id -> Text,
        child_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    households (id) {
        id -> Text,
        postcode -> Text,
        house_number -> Integer,
        house_number_addition -> Nullable<Text>,
        institutional_address -> Bool,
        wijk -> Text,
        team_id -> Text,
        confidentiality -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    household_members (id) {
        id -> Text,
        household_id -> Text,
        person_id -> Text,
        relation -> Text,
        custody -> Bool,
        from_date -> Date,
        until_date -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    cases (id) {
        id -> Text,
        household_id -> Text,
        team_id -> Text,
        state -> Text,
        laws -> Text,
        close_reason -> Nullable<Text>,
        previous_case_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    case_state_history (id) {
        id -> Text,
        case_id -> Text,
        state -> Text,
        entered_at -> Timestamp,
        entered_by -> Nullable<Text>,
    }
}

diesel::table! {
    regisseur_assignments (id) {
        id -> Text,
        case_id -> Text,
        user_id -> Text,
        status -> Text,
        proposed_by -> Text,
        family_choice -> Bool,
        reason -> Nullable<Text>,
        proposed_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        active_from -> Nullable<Timestamp>,
        active_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    involvements (id) {
        id -> Text,
        case_id -> Text,
        user_id -> Text,
        organisation_id -> Text,
        kind -> Text,
        role_in_case -> Text,
        valid_from -> Timestamp,
        valid_until -> Nullable<Timestamp>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    plan_versions (id) {
        id -> Text,
        case_id -> Text,
        number -> Integer,
        status -> Text,
        content -> Text,
        based_on -> Nullable<Integer>,
        members_may_edit -> Bool,
        revision -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
        updated_by -> Text,
        updated_at -> Timestamp,
        agreed_by -> Nullable<Text>,
        agreed_at -> Nullable<Timestamp>,
        agreement -> Nullable<Text>,
        superseded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    plan_action_progress (case_id, action_id) {
        case_id -> Text,
        action_id -> Text,
        status -> Text,
        done_on -> Nullable<Date>,
        revision -> BigInt,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    zrm_assessments (id) {
        id -> Text,
        case_id -> Text,
        person_id -> Nullable<Text>,
        instrument -> Text,
        kind -> Text,
        assessed_on -> Date,
        assessor_id -> Text,
        scores -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    evaluations (id) {
        id -> Text,
        case_id -> Text,
        plan_number -> Integer,
        held_on -> Date,
        participants -> Text,
        goal_progress -> Text,
        decision -> Text,
        next_evaluation_date -> Nullable<Date>,
        close_reason -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    evaluation_agreements (evaluation_id, position) {
        evaluation_id -> Text,
        position -> Integer,
        who_kind -> Text,
        who_person_id -> Nullable<Text>,
        who_user_id -> Nullable<Text>,
        who_organisation_id -> Nullable<Text>,
        who_name -> Nullable<Text>,
        what -> Text,
    }
}

diesel::table! {
    consents (id) {
        id -> Text,
        case_id -> Text,
        person_id -> Text,
        kind -> Text,
        givers -> Text,
        legal_ground -> Nullable<Text>,
        holder_organisation_id -> Nullable<Text>,
        recipients -> Text,
        categories -> Text,
        purpose -> Text,
        valid_from -> Date,
        valid_until -> Date,
        recorded_by -> Text,
        recorded_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_by -> Nullable<Text>,
        withdrawal_note -> Nullable<Text>,
    }
}

diesel::table! {
    break_glass (id) {
        id -> Text,
        user_id -> Text,
        case_id -> Text,
        reason -> Text,
        justification -> Text,
        started_at -> Timestamp,
        expires_at -> Timestamp,
        reviewed_at -> Nullable<Timestamp>,
        reviewed_by -> Nullable<Text>,
        judgement -> Nullable<Text>,
        review_note -> Nullable<Text>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        recipient_user_id -> Text,
        template -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    signals (id) {
        id -> Text,
        person_id -> Text,
        organisation_id -> Text,
        user_id -> Text,
        contact_phone -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamp,
        expires_on -> Date,
        removed_at -> Nullable<Timestamp>,
        removal_reason -> Nullable<Text>,
        archive_until -> Nullable<Date>,
        archive_notified_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    matches (id) {
        id -> Text,
        kind -> Text,
        match_key -> Text,
        created_at -> Timestamp,
        reminded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    match_members (match_id, signal_id) {
        match_id -> Text,
        signal_id -> Text,
        joined_at -> Timestamp,
        contact_confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    case_changes (case_id) {
        case_id -> Text,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    stuck_cases (case_id) {
        case_id -> Text,
        team_id -> Text,
        wijk -> Text,
        score -> BigInt,
        since -> Date,
        organisations -> BigInt,
        professionals -> BigInt,
        reasons -> Text,
        computed_at -> Timestamp,
    }
}

diesel::table! {
    stuck_reasons (code, case_id) {
        code -> Text,
        case_id -> Text,
        since -> Date,
        score -> BigInt,
        case_since -> Date,
        team_id -> Text,
        wijk -> Text,
        organisations -> BigInt,
        professionals -> BigInt,
        reasons -> Text,
    }
}

diesel::table! {
    stuck_counts (code) {
        code -> Text,
        cases -> BigInt,
    }
}

diesel::table! {
    daily_jobs (name) {
        name -> Text,
        last_run_on -> Date,
    }
}

diesel::table! {
    escalations (id) {
        id -> Text,
        case_id -> Text,
        level -> BigInt,
        status -> Text,
        trigger_kind -> Text,
        trigger_code -> Nullable<Text>,
        reason -> Nullable<Text>,
        raised_by -> Nullable<Text>,
        raised_at -> Timestamp,
        level_since -> Timestamp,
        respond_by -> Date,
        responded_at -> Nullable<Timestamp>,
        responded_by -> Nullable<Text>,
        adopted_by -> Nullable<Text>,
        adopted_at -> Nullable<Timestamp>,
        involvement_id -> Nullable<Text>,
        organisations_at_adoption -> Nullable<BigInt>,
        professionals_at_adoption -> Nullable<BigInt>,
        closed_at -> Nullable<Timestamp>,
        closed_by -> Nullable<Text>,
        perspective_regained -> Nullable<Bool>,
        organisations_at_close -> Nullable<BigInt>,
        professionals_at_close -> Nullable<BigInt>,
        outcome_note -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    escalation_steps (id) {
        id -> Text,
        escalation_id -> Text,
        kind -> Text,
        level -> BigInt,
        at -> Timestamp,
        by_user -> Nullable<Text>,
        text -> Nullable<Text>,
        holder -> Nullable<Text>,
    }
}

diesel::table! {
    log_reviews (id) {
        id -> Text,
        reviewer_id -> Text,
        period_from -> Date,
        period_to -> Date,
        method -> Text,
        sample -> Text,
        findings -> Text,
        follow_up -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    access_findings (id) {
        id -> Text,
        kind -> Text,
        fingerprint -> Text,
        user_id -> Nullable<Text>,
        day -> Date,
        figure -> BigInt,
        threshold -> BigInt,
        status -> Text,
        assigned_to -> Nullable<Text>,
        judgement -> Nullable<Text>,
        judgement_note -> Nullable<Text>,
        judged_by -> Nullable<Text>,
        judged_at -> Nullable<Timestamp>,
        closed_by -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        found_at -> Timestamp,
    }
}

diesel::table! {
    access_finding_events (finding_id, event_row) {
        finding_id -> Text,
        event_row -> BigInt,
    }
}

diesel::table! {
    legal_holds (id) {
        id -> Text,
        case_id -> Text,
        reason -> Text,
        placed_by -> Text,
        placed_at -> Timestamp,
        lifted_by -> Nullable<Text>,
        lifted_at -> Nullable<Timestamp>,
        lift_reason -> Nullable<Text>,
    }
}

diesel::table! {
    erasure_requests (id) {
        id -> Text,
        person_id -> Text,
        received_on -> Date,
        requested_by -> Text,
        status -> Text,
        decision_reason -> Nullable<Text>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    retention_runs (id) {
        id -> Text,
        ran_at -> Timestamp,
        ran_by -> Nullable<Text>,
        cases -> Integer,
        households -> Integer,
        persons -> Integer,
        held -> Integer,
        audit_events -> BigInt,
        chains -> Integer,
    }
}

diesel::table! {
    audit_checkpoints (chain_id) {
        chain_id -> Text,
        through_seq -> BigInt,
        through_hash -> Text,
        pruned_events -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    staff_own_households (id) {
        id -> Text,
        user_id -> Text,
        postcode -> Nullable<Text>,
        house_number -> Nullable<Integer>,
        house_number_addition -> Nullable<Text>,
        surname -> Nullable<Text>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
        ended_by -> Nullable<Text>,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    protected_persons (id) {
        id -> Text,
        person_id -> Text,
        reason -> Text,
        note -> Nullable<Text>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
        ended_by -> Nullable<Text>,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(match_members -> matches (match_id));
diesel::joinable!(match_members -> signals (signal_id));
diesel::joinable!(signals -> persons (person_id));
diesel::joinable!(teams -> organisations (organisation_id));
diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(web_sessions -> sessions (session_id));
diesel::joinable!(households -> teams (team_id));
diesel::joinable!(household_members -> households (household_id));
diesel::joinable!(household_members -> persons (person_id));
diesel::joinable!(cases -> households (household_id));
diesel::joinable!(case_state_history -> cases (case_id));
diesel::joinable!(involvements -> cases (case_id));
diesel::joinable!(evaluation_agreements -> evaluations (evaluation_id));
diesel::joinable!(stuck_reasons -> stuck_cases (case_id));
diesel::joinable!(stuck_cases -> teams (team_id));
diesel::joinable!(escalation_steps -> escalations (escalation_id));
diesel::joinable!(escalations -> cases (case_id));
diesel::joinable!(legal_holds -> cases (case_id));
diesel::joinable!(staff_own_households -> users (user_id));
diesel::joinable!(protected_persons -> persons (person_id));

diesel::allow_tables_to_appear_in_same_query!(
    staff_own_households,
    protected_persons,
    legal_holds,
    erasure_requests,
    retention_runs,
    audit_checkpoints,
    access_finding_events,
    access_findings,
    log_reviews,
    audit_event_persons,
    escalations,
    escalation_steps,
    case_changes,
    stuck_cases,
    stuck_reasons,
    stuck_counts,
    daily_jobs,
    web_sessions,
    signals,
    matches,
    match_members,
    break_glass,
    outbox,
    consents,
    plan_versions,
    plan_action_progress,
    zrm_assessments,
    evaluations,
    evaluation_agreements,
    organisations,
    teams,
    users,
    user_roles,
    sessions,
    refresh_tokens,
    login_throttle,
    audit_events,
    persons,
    parent_child,
    households,
    household_members,
    cases,
    case_state_history,
    regisseur_assignments,
    involvements,
);
