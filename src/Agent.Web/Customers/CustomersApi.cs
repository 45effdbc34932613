using System.ComponentModel.DataAnnotations;
using CallCenter.Agent.Web.Api;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CallCenter.Agent.Web.Customers;

public sealed record NewCustomerPhone(
    [property: Required, PhoneNumber] string Number,
    [property: RegularExpression("^(mobile|home|work|other)$")] string Kind = "mobile");

public sealed record NewCustomer(
    [property: Required, StringLength(50, MinimumLength = 1)] string Name,
    [property: StringLength(10)] string? Surname,
    [property: RegularExpression("^(先生|女士)$")] string? Honorific,
    [property: StringLength(200)] string? Address,
    [property: Required, MinLength(1), MaxLength(10)] IReadOnlyList<NewCustomerPhone> Phones);

internal static class CustomersApi
{
    public static RouteGroupBuilder MapCustomersApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/customers").WithTags("Customers");
        group.MapGet("/", Find).WithName("FindCustomers");
        group.MapGet("/{id:long}", Get).WithName("GetCustomer");
        group.MapPost("/", Create).WithName("CreateCustomer");
        return api;
    }

    private static async Task<Results<Ok<IReadOnlyList<CustomerSummary>>, ValidationProblem>> Find(
        string? phone, CustomerDirectory directory, CancellationToken ct)
    {
        var digits = PhoneNumbers.Normalize(phone);
        if (digits is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["phone"] = ["give a phone number of 3 to 20 digits, e.g. ?phone=13800138001"],
            });
        }

        return TypedResults.Ok(await directory.FindByPhoneAsync(digits, ct));
    }

    private static async Task<Results<Ok<CustomerDetail>, ProblemHttpResult>> Get(long id, CustomerDirectory directory, TimeProvider clock, CancellationToken ct)
    {
        var customer = await directory.GetAsync(id, DateOnly.FromDateTime(clock.GetLocalNow().DateTime), ct);
        return customer is null
            ? TypedResults.Problem(title: "Customer not found", detail: $"No customer has id {id}.", statusCode: StatusCodes.Status404NotFound)
            : TypedResults.Ok(customer);
    }

    private static async Task<Results<Created<CustomerSummary>, ValidationProblem, ProblemHttpResult>> Create(
        NewCustomer request, CustomerDirectory directory, CancellationToken ct)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            var created = await directory.CreateAsync(request, ct);
            return TypedResults.Created($"/api/customers/{created.Id}", created);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return TypedResults.Problem(title: "Duplicate phone number", detail: "The same number is listed twice.", statusCode: StatusCodes.Status409Conflict);
        }
    }
}

/// <summary>Caller numbers arrive in many shapes (+86, spaces, dashes); lookups use digits only.</summary>
public static class PhoneNumbers
{
    public static string? Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw) || raw.Length > 40)
        {
            return null;
        }

        var digits = new string(raw.Where(char.IsAsciiDigit).ToArray());
        if (digits.StartsWith("86", StringComparison.Ordinal) && digits.Length == 13 && raw.TrimStart().StartsWith('+'))
        {
            digits = digits[2..]; // +86 mobile -> national form
        }

        return digits.Length is >= 3 and <= 20 ? digits : null;
    }
}

/// <summary>A phone number in any common shape (+86, spaces, dashes) that normalises to 3-20 digits.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class PhoneNumberAttribute : ValidationAttribute
{
    public PhoneNumberAttribute()
        : base("a phone number of 3 to 20 digits (spaces, dashes and a leading +86 are allowed)")
    {
    }

    public override bool IsValid(object? value) => value is null || (value is string s && PhoneNumbers.Normalize(s) is not null && s.All(c => char.IsAsciiDigit(c) || c is ' ' or '-' or '+' or '(' or ')'));
}
