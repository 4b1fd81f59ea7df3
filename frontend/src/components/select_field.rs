use leptos::prelude::*;

/// Renders a labelled `<select>` over a fixed list of values.
#[component]
pub fn SelectField<T>(
    id: &'static str,
    label: &'static str,
    value: RwSignal<T>,
    options: Vec<(T, &'static str)>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <SelectInput
                id=id
                value
                on_choose=Callback::new(move |chosen| value.set(chosen))
                options
                disabled
            />
        </div>
    }
}

/// Renders a `<select>` over a fixed list of values, without a label of its own. Each
/// option's `value` attribute is its index, so any copyable type can be chosen without a
/// string mapping.
#[component]
pub fn SelectInput<T>(
    #[prop(optional, into)] id: Option<String>,
    /// The accessible name, for a select that no `<label>` names.
    #[prop(optional, into)]
    aria_label: Option<String>,
    #[prop(into)] value: Signal<T>,
    on_choose: Callback<T>,
    options: Vec<(T, &'static str)>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let options = StoredValue::new(options);
    let choose = move |event| {
        let index = event_target_value(&event).parse::<usize>().ok();
        let chosen =
            index.and_then(|index| options.with_value(|options| options.get(index).copied()));
        if let Some((option, _)) = chosen {
            on_choose.run(option);
        }
    };
    let option_views = options.with_value(|options| {
        options
            .iter()
            .enumerate()
            .map(|(index, (option, text))| {
                let option = *option;
                view! {
                    <option value=index.to_string() prop:selected=move || value.get() == option>
                        {*text}
                    </option>
                }
            })
            .collect_view()
    });

    view! {
        <select id=id aria-label=aria_label disabled=move || disabled.get() on:change=choose>
            {option_views}
        </select>
    }
}

/// Renders a `<select>` over text values whose list may change, without a label of its own.
/// `on_choose` receives the chosen value; without it the choice goes into `value`.
#[component]
pub fn TextSelectInput(
    #[prop(optional, into)] id: Option<String>,
    /// The accessible name, for a select that no `<label>` names.
    #[prop(optional, into)]
    aria_label: Option<String>,
    value: RwSignal<String>,
    /// The options as (value, label) pairs.
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
    #[prop(optional)] on_choose: Option<Callback<String>>,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(optional, into)] invalid: Signal<bool>,
) -> impl IntoView {
    let choose = move |event| {
        let chosen = event_target_value(&event);
        match on_choose {
            Some(callback) => callback.run(chosen),
            None => value.set(chosen),
        }
    };
    let option_views = move || {
        options
            .get()
            .into_iter()
            .map(|(option, text)| {
                let shown = option.clone();
                view! {
                    <option value=option prop:selected=move || value.with(|value| *value == shown)>
                        {text}
                    </option>
                }
            })
            .collect_view()
    };

    view! {
        <select
            id=id
            aria-label=aria_label
            aria-invalid=move || invalid.get().then_some("true")
            disabled=move || disabled.get()
            on:change=choose
        >
            {option_views}
        </select>
    }
}
